/**
 * "Did you mean": the closest known name to a mistyped one, for commands,
 * flags, state machines, targets and mock test cases alike.
 */
import { UsageError } from './errors.js';

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name `word` most likely meant, or undefined when none is close:
 * a case-only difference, or at most one edit per three characters (at
 * least one), so that `deplyo` finds `deploy` but `cost` never suggests `test`.
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    if (name === word) return name;
    const distance = name.toLowerCase() === lower ? 0 : editDistance(lower, name.toLowerCase());
    const allowed = Math.max(1, Math.floor(Math.max(word.length, name.length) / 3));
    // A guess keeps at least one character of what was typed: `x` never means `a`.
    if (distance <= allowed && distance < Math.min(word.length, name.length) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** The hint under a "not found" error: the likely name first, then every known one. */
export function knownHint(word: string, known: readonly string[], format: (name: string) => string = (name) => `\`${name}\``): string {
  const guess = closest(word, known);
  const list = known.length ? `known: ${known.join(', ')}` : 'none is declared';
  return guess ? `did you mean ${format(guess)}? (${list})` : list;
}

/** What a "not found" name can be, and the stable --json code of each. */
const NOT_FOUND_CODES = { 'state machine': 'STATE_MACHINE_NOT_FOUND', target: 'TARGET_NOT_FOUND', activity: 'ACTIVITY_NOT_FOUND' } as const;

/**
 * A usage error for a name that is not among the known ones: `state machine \`x\` is not in deliv.yaml`.
 * `noneHint` replaces "none is declared" when there is nothing to choose from.
 */
export function notKnownError(what: keyof typeof NOT_FOUND_CODES, name: string, known: readonly string[], where: string, noneHint?: string): UsageError {
  const hint = known.length === 0 && noneHint ? noneHint : knownHint(name, known);
  return new UsageError(`${what} \`${name}\` is not in ${where}`, { hint, code: NOT_FOUND_CODES[what] });
}
