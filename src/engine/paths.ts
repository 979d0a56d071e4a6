/**
 * Reference paths as states use them outside payload templates (InputPath,
 * OutputPath, ItemsPath, SecondsPath, ErrorPath, ...): `$…` reads the input,
 * `$$…` the context object, `$name…` a variable. Built on the expression
 * layer's `compilePath`.
 */
import type { JsonValue } from '../asl/types.js';
import { compilePath } from './expr.js';
import { StatesError } from './errors.js';

/** Where references read from: an EvalScope (`context` may be a lazy getter). */
export interface PathSources {
  input: JsonValue;
  readonly context: JsonValue;
  readonly variables: Record<string, JsonValue>;
}

export type Reference = (sources: PathSources) => JsonValue | undefined;

const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

/** Compiles a reference path; throws (at compile time) on bad syntax. */
export function compileReference(path: string): Reference {
  if (path === '$') return (sources) => sources.input;
  if (path.startsWith('$$')) {
    const read = compilePath('$' + path.slice(2));
    return (sources) => read(sources.context);
  }
  const variable = VARIABLE.exec(path);
  if (variable) {
    const name = variable[1];
    const rest = path.slice(1 + name.length);
    if (rest === '') return (sources) => sources.variables[name];
    const read = compilePath('$' + rest);
    return (sources) => {
      const value = sources.variables[name];
      return value === undefined ? undefined : read(value);
    };
  }
  const read = compilePath(path);
  return (sources) => read(sources.input);
}

/** `$.a.b[0]` as AWS prints it in errors: `$['a']['b'][0]`. */
export function normalizedPath(path: string): string {
  const match = /^(\$\$?)(.*)$/.exec(path);
  if (!match) return path;
  let out = match[1];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  const rest = match[2];
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    consumed = re.lastIndex;
    if (m[1] !== undefined) out += `['${m[1]}']`;
    else if (m[2] !== undefined) out += `[${m[2]}]`;
    else out += `['${m[3] ?? m[4]}']`;
  }
  return consumed === rest.length ? out : path;
}

/** Resolves a path that must match, with AWS's "Invalid path" error otherwise. */
export function requirePath(reference: Reference, path: string, sources: PathSources): JsonValue {
  const value = reference(sources);
  if (value === undefined) throw new StatesError('States.Runtime', `Invalid path '${path}' : No results for path: ${normalizedPath(path)}`);
  return value;
}
