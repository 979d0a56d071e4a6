/**
 * JSONPath as Step Functions evaluates it (AWS runs Jayway JsonPath). The
 * grammar is src/asl/jsonpath.ts's, shared with `deliv validate`; this module
 * turns its tree into closures. A definite path (names and indexes only)
 * yields one value or nothing; any other path yields the list of matches,
 * empty when nothing matches.
 *
 * Paths are parsed once into closures; a definite lookup walks the input with
 * no allocation.
 */
import { LinearRegExp } from './regex.js';
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import type { EvalScope } from './scope.js';
import { StatesErrors } from '../asl/errors.js';
import { isDefinite, JsonPathSyntaxError, parsePath, type FilterNode, type FilterOperand, type ParsedPath, type PathSegment } from '../asl/jsonpath.js';

export { JsonPathSyntaxError };

type Filter = (node: JsonValue, root: JsonValue) => boolean;

/** A segment with its filter compiled. */
type Segment =
  | Exclude<PathSegment, { kind: 'filter' } | { kind: 'deep' }>
  | { kind: 'filter'; filter: Filter }
  | { kind: 'deep'; inner: Segment };

export type Getter = (root: JsonValue) => JsonValue | undefined;

const hasOwn = Object.prototype.hasOwnProperty;

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- filters

type Operand = (node: JsonValue, root: JsonValue) => JsonValue | undefined;

function compileSegment(segment: PathSegment): Segment {
  if (segment.kind === 'filter') return { kind: 'filter', filter: compileFilter(segment.filter) };
  if (segment.kind === 'deep') return { kind: 'deep', inner: compileSegment(segment.inner) };
  return segment;
}

function compileFilter(node: FilterNode): Filter {
  switch (node.kind) {
    case 'or': {
      const l = compileFilter(node.left);
      const r = compileFilter(node.right);
      return (n, root) => l(n, root) || r(n, root);
    }
    case 'and': {
      const l = compileFilter(node.left);
      const r = compileFilter(node.right);
      return (n, root) => l(n, root) && r(n, root);
    }
    case 'not': {
      const inner = compileFilter(node.inner);
      return (n, root) => !inner(n, root);
    }
    case 'exists': {
      const operand = compileOperand(node.operand);
      return (n, root) => truthy(operand(n, root));
    }
    case 'match': {
      const left = compileOperand(node.left);
      const regex = new LinearRegExp(node.source, node.flags);
      return (n, root) => {
        const value = left(n, root);
        return typeof value === 'string' && regex.test(value);
      };
    }
    case 'compare':
      return comparator(node.op, compileOperand(node.left), compileOperand(node.right));
  }
}

function compileOperand(operand: FilterOperand): Operand {
  switch (operand.kind) {
    case 'path': {
      const get = compileSegments(operand.segments.map(compileSegment));
      return operand.root === '$' ? (_n, root) => get(root) : (n) => get(n);
    }
    case 'literal': {
      const value = operand.value;
      return () => value;
    }
    case 'list': {
      // Jayway evaluates a list's items once, with nothing to read paths from.
      const items: JsonValue[] = [];
      for (const item of operand.items) {
        const value = compileOperand(item)(null, null);
        if (value !== undefined) items.push(value);
      }
      return () => items;
    }
  }
}

function truthy(value: JsonValue | undefined): boolean {
  // A bare path in a filter tests existence, as Jayway does.
  return value !== undefined && value !== false;
}

function comparator(op: string, left: Operand, right: Operand): Filter {
  switch (op) {
    case '==':
      return (n, root) => {
        const l = left(n, root);
        const r = right(n, root);
        return l !== undefined && r !== undefined && filterEquals(l, r);
      };
    case '!=':
      return (n, root) => {
        const l = left(n, root);
        const r = right(n, root);
        return l === undefined || r === undefined || !filterEquals(l, r);
      };
    case 'in':
    case 'nin':
      return (n, root) => {
        const l = left(n, root);
        const r = right(n, root);
        const found = l !== undefined && Array.isArray(r) && r.some((item) => jsonEquals(item, l));
        return op === 'in' ? found : !found;
      };
    default:
      return (n, root) => {
        const l = left(n, root);
        const r = right(n, root);
        if (typeof l === 'number' && typeof r === 'number') return compareWith(op, l - r);
        if (typeof l === 'string' && typeof r === 'string') return compareWith(op, l < r ? -1 : l > r ? 1 : 0);
        return false;
      };
  }
}

const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** Jayway's `==`: a number equals a string holding the same number (`@.status == '0'`). */
function filterEquals(a: JsonValue, b: JsonValue): boolean {
  if (typeof a === 'number' && typeof b === 'string') return NUMBER_TEXT.test(b) && Number(b) === a;
  if (typeof a === 'string' && typeof b === 'number') return NUMBER_TEXT.test(a) && Number(a) === b;
  return jsonEquals(a, b);
}

function compareWith(op: string, diff: number): boolean {
  if (op === '<') return diff < 0;
  if (op === '<=') return diff <= 0;
  if (op === '>') return diff > 0;
  return diff >= 0;
}

/** Structural equality of JSON values; object key order does not matter. */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!hasOwn.call(b, key) || !jsonEquals(a[key], b[key])) return false;
  return true;
}

// ---------------------------------------------------------------- evaluation

function child(node: JsonValue | undefined, segment: Segment & { kind: 'name' | 'index' }): JsonValue | undefined {
  if (segment.kind === 'name') {
    if (!isObject(node) || !hasOwn.call(node, segment.name)) return undefined;
    return node[segment.name];
  }
  if (!Array.isArray(node)) return undefined;
  const index = segment.index < 0 ? node.length + segment.index : segment.index;
  return index >= 0 && index < node.length ? node[index] : undefined;
}

function definiteGetter(segments: Segment[]): Getter {
  if (segments.length === 0) return (root) => root;
  if (segments.length === 1 && segments[0].kind === 'name') {
    const name = segments[0].name;
    return (root) => (isObject(root) && hasOwn.call(root, name) ? root[name] : undefined);
  }
  if (segments.every((s) => s.kind === 'name')) {
    const names = segments.map((s) => (s as { name: string }).name);
    if (names.length === 2) {
      const [a, b] = names;
      return (root) => {
        if (!isObject(root) || !hasOwn.call(root, a)) return undefined;
        const node = root[a];
        return isObject(node) && hasOwn.call(node, b) ? node[b] : undefined;
      };
    }
    return (root) => {
      let node: JsonValue = root;
      for (let i = 0; i < names.length; i++) {
        if (!isObject(node) || !hasOwn.call(node, names[i])) return undefined;
        node = node[names[i]];
      }
      return node;
    };
  }
  const steps = segments as Array<Segment & { kind: 'name' | 'index' }>;
  return (root) => {
    let node: JsonValue | undefined = root;
    for (let i = 0; i < steps.length && node !== undefined; i++) node = child(node, steps[i]);
    return node;
  };
}

function sliceIndexes(length: number, s: { start?: number; end?: number; step?: number }): number[] {
  const step = s.step ?? 1;
  const norm = (v: number) => (v < 0 ? Math.max(0, length + v) : Math.min(v, length));
  const out: number[] = [];
  if (step > 0) {
    const start = s.start === undefined ? 0 : norm(s.start);
    const end = s.end === undefined ? length : norm(s.end);
    for (let i = start; i < end; i += step) out.push(i);
  } else {
    const start = s.start === undefined ? length - 1 : Math.min(norm(s.start), length - 1);
    const end = s.end === undefined ? -1 : norm(s.end);
    for (let i = start; i > end; i += step) out.push(i);
  }
  return out;
}

function walk(node: JsonValue, segments: Segment[], i: number, root: JsonValue, out: JsonValue[]): void {
  if (i === segments.length) {
    out.push(node);
    return;
  }
  const segment = segments[i];
  switch (segment.kind) {
    case 'name':
    case 'index': {
      const next = child(node, segment);
      if (next !== undefined) walk(next, segments, i + 1, root, out);
      return;
    }
    case 'wildcard':
      if (Array.isArray(node)) for (const item of node) walk(item, segments, i + 1, root, out);
      else if (isObject(node)) for (const key of Object.keys(node)) walk(node[key], segments, i + 1, root, out);
      return;
    case 'slice':
      if (Array.isArray(node)) for (const index of sliceIndexes(node.length, segment)) walk(node[index], segments, i + 1, root, out);
      return;
    case 'names':
      if (isObject(node)) for (const name of segment.names) if (hasOwn.call(node, name)) walk(node[name], segments, i + 1, root, out);
      return;
    case 'indexes':
      for (const index of segment.indexes) {
        const next = child(node, { kind: 'index', index });
        if (next !== undefined) walk(next, segments, i + 1, root, out);
      }
      return;
    case 'filter':
      if (Array.isArray(node)) {
        for (const item of node) if (segment.filter(item, root)) walk(item, segments, i + 1, root, out);
      } else if (isObject(node) && segment.filter(node, root)) {
        walk(node, segments, i + 1, root, out);
      }
      return;
    case 'deep': {
      const rest = [segment.inner, ...segments.slice(i + 1)];
      const visit = (current: JsonValue) => {
        walk(current, rest, 0, root, out);
        if (Array.isArray(current)) for (const item of current) visit(item);
        else if (isObject(current)) for (const key of Object.keys(current)) visit(current[key]);
      };
      visit(node);
      return;
    }
  }
}

function compileSegments(segments: Segment[]): Getter {
  if (isDefinite(segments)) return definiteGetter(segments);
  return (root) => {
    const out: JsonValue[] = [];
    walk(root, segments, 0, root, out);
    return out;
  };
}

// ---------------------------------------------------------------- public API

interface CompiledPath extends Omit<ParsedPath, 'segments'> {
  segments: Segment[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function parse(path: string, allowVariables: boolean): CompiledPath {
  const parsed = parsePath(path, { variables: allowVariables });
  return { ...parsed, segments: parsed.segments.map(compileSegment) };
}

/**
 * Compiles a path applied to `root`: `$...` and `$$...` both start at the value
 * given. Returns undefined when a definite path matches nothing; an indefinite
 * path returns the array of its matches. Throws JsonPathSyntaxError on bad syntax.
 */
export function compilePath(path: string): (root: JsonValue) => JsonValue | undefined {
  const parsed = parse(path, false);
  return compileSegments(parsed.segments);
}

/**
 * Compiles a path as written in a definition: `$...` reads the input, `$$...`
 * the context object, `$name...` a variable (unless variables are disallowed).
 */
export function compileScopePath(path: string, options: { variables?: boolean } = {}): (scope: EvalScope) => JsonValue | undefined {
  const parsed = parse(path, options.variables !== false);
  const get = compileSegments(parsed.segments);
  const root = parsed.root;
  if (root === '$') return (scope) => get(scope.input);
  if (root === '$$') return (scope) => get(scope.context);
  const name = root.variable;
  return (scope) => {
    const variables = scope.variables;
    return hasOwn.call(variables, name) ? get(variables[name]) : undefined;
  };
}

/** The value a path reads from: the context object for `$$` paths, otherwise the input (as AWS quotes it in errors). */
export function pathSource(path: string, scope: EvalScope): JsonValue {
  return path.startsWith('$$') ? scope.context : scope.input;
}

/** True for paths that select a single node (names and indexes only), as reference paths must. */
export function isReferencePath(path: string): boolean {
  try {
    return parse(path, true).definite;
  } catch {
    return false;
  }
}

/** Whether a path yields a list of matches (wildcards, slices, filters, unions, `..`). */
export function isIndefinitePath(path: string): boolean {
  return !parse(path, true).definite;
}

/** The variable a `$name...` path reads, or undefined for `$`/`$$` paths. */
export function pathVariable(path: string): string | undefined {
  if (path.startsWith('$$')) return undefined;
  return VARIABLE_NAME.exec(path.slice(1))?.[0];
}

/**
 * Compile-time check of a path. Returns a reason when it is not valid, or
 * undefined. `reference` requires a single-node path (InputPath, ResultPath,
 * OutputPath, Variable, ...).
 */
export function checkPath(path: unknown, options: { reference?: boolean; variables?: boolean; context?: boolean } = {}): string | undefined {
  if (typeof path !== 'string') return `expected a JSONPath string but found ${JSON.stringify(path)}`;
  try {
    const parsed = parse(path, options.variables !== false);
    if (options.context === false && parsed.root === '$$') return `the context object ($$) cannot be used in '${path}'`;
    if (options.reference && !parsed.definite) return `'${path}' must be a reference path (a single node: names and array indexes only)`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function segmentText(segment: Segment): string {
  switch (segment.kind) {
    case 'name':
      return `['${segment.name}']`;
    case 'index':
      return `[${segment.index}]`;
    case 'wildcard':
      return '[*]';
    case 'slice':
      return `[${segment.start ?? ''}:${segment.end ?? ''}${segment.step === undefined ? '' : `:${segment.step}`}]`;
    case 'names':
      return `[${segment.names.map((n) => `'${n}'`).join(',')}]`;
    case 'indexes':
      return `[${segment.indexes.join(',')}]`;
    case 'filter':
      return '[?]';
    case 'deep':
      return `..${segmentText(segment.inner)}`;
  }
}

/** The path normalised as Jayway prints it: `$['a']['b'][0]`. */
export function normalizePath(path: string): string {
  const parsed = parse(path, true);
  const head = parsed.root === '$' ? '$' : parsed.root === '$$' ? '$$' : `$${parsed.root.variable}`;
  return head + parsed.segments.map(segmentText).join('');
}

/**
 * Why a definite path found nothing in `root`, in Jayway's words (which AWS
 * quotes): `No results for path: $['a']['b']` when the last step is missing,
 * `Missing property in path $['a']` when an intermediate one is.
 */
export function missingPathReason(path: string, root: JsonValue): string {
  const parsed = parse(path, true);
  const steps = parsed.segments;
  let node: JsonValue | undefined = root;
  let walked = '$';
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step.kind !== 'name' && step.kind !== 'index') break;
    const next = child(node as JsonValue, step);
    walked += segmentText(step);
    if (next === undefined) {
      if (i < steps.length - 1 && step.kind === 'name' && isObject(node)) return `Missing property in path ${walked}`;
      break;
    }
    node = next;
  }
  return `No results for path: ${normalizePath(path).replace(/^\$\$|^\$[A-Za-z_][A-Za-z0-9_]*/, '$')}`;
}

/** AWS's cause when InputPath, OutputPath, ItemsPath... select nothing: `Invalid path '$.x' : No results for path: $['x']`. */
export function invalidPathCause(path: string, root: JsonValue): string {
  return `Invalid path '${path}' : ${missingPathReason(path, root)}`;
}

// ---------------------------------------------------------------- ResultPath

/**
 * Places `result` into `input` at `resultPath` as ResultPath does: absent or
 * `$` → the result; null → the input unchanged; `$.a.b` → a copy of the input
 * with `a.b` set, creating missing objects on the way. The input is never
 * mutated: objects on the path are copied, everything else is shared.
 */
export function applyResultPath(input: JsonValue, resultPath: string | null | undefined, result: JsonValue): JsonValue {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  return compileResultPath(resultPath)(input, result);
}

const resultPathCache = new Map<string, (input: JsonValue, result: JsonValue) => JsonValue>();

/** Compiles a ResultPath once; the returned setter behaves as applyResultPath. */
export function compileResultPath(resultPath: string | null | undefined): (input: JsonValue, result: JsonValue) => JsonValue {
  if (resultPath === null) return (input) => input;
  if (resultPath === undefined || resultPath === '$') return (_input, result) => result;
  const cached = resultPathCache.get(resultPath);
  if (cached) return cached;
  const parsed = parse(resultPath, false);
  if (parsed.root !== '$') throw new JsonPathSyntaxError(resultPath, 'a ResultPath must start with $');
  if (!parsed.definite) throw new JsonPathSyntaxError(resultPath, 'a ResultPath must be a reference path');
  const steps = parsed.segments as Array<Segment & { kind: 'name' | 'index' }>;
  const set = (node: JsonValue | undefined, i: number, result: JsonValue, input: JsonValue): JsonValue => {
    if (i === steps.length) return result;
    const step = steps[i];
    if (step.kind === 'name') {
      if (node === undefined) return { [step.name]: set(undefined, i + 1, result, input) };
      if (!isObject(node)) throw resultPathFailure(resultPath, input);
      const copy: { [key: string]: JsonValue } = { ...node };
      copy[step.name] = set(hasOwn.call(node, step.name) ? node[step.name] : undefined, i + 1, result, input);
      return copy;
    }
    if (!Array.isArray(node)) throw resultPathFailure(resultPath, input);
    const index = step.index < 0 ? node.length + step.index : step.index;
    if (index < 0 || index >= node.length) throw resultPathFailure(resultPath, input);
    const copy = node.slice();
    copy[index] = set(node[index], i + 1, result, input);
    return copy;
  };
  const setter = (input: JsonValue, result: JsonValue) => set(input, 0, result, input);
  if (resultPathCache.size < 10_000) resultPathCache.set(resultPath, setter);
  return setter;
}

function resultPathFailure(resultPath: string, input: JsonValue): StatesError {
  return new StatesError(
    StatesErrors.ResultPathMatchFailure,
    `Unable to apply ReferencePath ${resultPath} to input ${JSON.stringify(input)}`,
  );
}
