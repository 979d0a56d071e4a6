/**
 * A `${Name}` placeholder in a definition, filled at deploy time (SAM's and CloudFormation's
 * DefinitionSubstitutions, deliv.yaml's substitutions): one pattern for every reader of it
 * (validation, rendering, export, cost), the name captured as group 1.
 */

/** No flags: `test` a string for one, `exec` the first one. */
export const PLACEHOLDER = /\$\{([A-Za-z0-9_.:-]+)\}/;

/** The pattern with a reader's own flags: `g` to replace them all, `y` to match at a given index. */
export function placeholderPattern(flags: 'g' | 'y'): RegExp {
  return new RegExp(PLACEHOLDER.source, flags);
}

/** The whole string is one placeholder (anchored at both ends). */
export const WHOLE_PLACEHOLDER = new RegExp(`^${PLACEHOLDER.source}$`);
