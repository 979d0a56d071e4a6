/**
 * Reference paths as states use them outside payload templates (InputPath,
 * OutputPath, ItemsPath, SecondsPath, ...): `$…` reads the input, `$$…` the
 * context object, `$name…` a variable. Built on the expression layer.
 */
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import type { EvalScope } from './expr.js';
import { compileScopePath, invalidPathCause } from './expr.js';
import { StatesErrors } from '../asl/errors.js';

export type Reference = (scope: EvalScope) => JsonValue | undefined;

/** Compiles a reference path; throws (at compile time) on bad syntax. */
export function compileReference(path: string): Reference {
  if (path === '$') return (scope) => scope.input;
  return compileScopePath(path);
}

/** Resolves a path that must match, with AWS's "Invalid path" error otherwise. */
export function requirePath(reference: Reference, path: string, scope: EvalScope): JsonValue {
  const value = reference(scope);
  if (value === undefined) {
    const root = path.startsWith('$$') ? scope.context : path.startsWith('$.') || path.startsWith('$[') ? scope.input : undefined;
    throw new StatesError(StatesErrors.Runtime, root === undefined ? `Invalid path '${path}' : No results for path: ${path}` : invalidPathCause(path, root));
  }
  return value;
}
