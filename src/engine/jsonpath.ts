/**
 * JSONPath as Step Functions evaluates it (AWS runs Jayway JsonPath): dot and
 * bracket notation, `[*]`, slices, unions, filters `[?(@.x > 1)]` and `..`.
 * A definite path (names and indexes only) yields one value or nothing; any
 * other path yields the list of matches, empty when nothing matches.
 *
 * Paths are parsed once into closures; a definite lookup walks the input with
 * no allocation.
 */
import { LinearRegExp } from './regex.js';
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import type { EvalScope } from './scope.js';
import { StatesErrors } from '../asl/errors.js';

type Filter = (node: JsonValue, root: JsonValue) => boolean;

type Segment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'names'; names: string[] }
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'filter'; filter: Filter }
  | { kind: 'deep'; inner: Segment };

export type Getter = (root: JsonValue) => JsonValue | undefined;

export class JsonPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Invalid JSONPath '${path}': ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- parsing

class PathParser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly path: string,
  ) {}

  fail(reason: string): never {
    throw new JsonPathSyntaxError(this.path, reason);
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }

  eat(token: string): boolean {
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }

  expect(token: string): void {
    if (!this.eat(token)) this.fail(`expected '${token}' at position ${this.pos}`);
  }

  /** Segments until the end of the text, or until `stop` says so (inside filters). */
  segments(stop?: (c: string) => boolean): Segment[] {
    const segments: Segment[] = [];
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (stop && stop(c)) break;
      if (this.eat('..')) {
        if (this.peek() === '[') segments.push({ kind: 'deep', inner: this.bracket() });
        else if (this.eat('*')) segments.push({ kind: 'deep', inner: { kind: 'wildcard' } });
        else segments.push({ kind: 'deep', inner: { kind: 'name', name: this.name(stop) } });
      } else if (this.eat('.')) {
        if (this.eat('*')) segments.push({ kind: 'wildcard' });
        // Jayway reads `$.[0]` as `$[0]`.
        else if (this.peek() === '[') segments.push(this.bracket());
        else segments.push({ kind: 'name', name: this.name(stop) });
      } else if (c === '[') {
        segments.push(this.bracket());
      } else {
        this.fail(`unexpected '${c}' at position ${this.pos}`);
      }
    }
    return segments;
  }

  name(stop?: (c: string) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (c === '.' || c === '[' || (stop && stop(c))) break;
      if (c === ' ' && !stop) this.fail(`unexpected space at position ${this.pos}`);
      if (c === ' ') break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`expected a property name at position ${start}`);
    return this.text.slice(start, this.pos);
  }

  bracket(): Segment {
    this.expect('[');
    this.skipSpaces();
    let segment: Segment;
    if (this.eat('*')) {
      segment = { kind: 'wildcard' };
    } else if (this.peek() === '?') {
      this.pos++;
      this.skipSpaces();
      this.expect('(');
      const filter = new FilterParser(this).expression();
      this.skipSpaces();
      this.expect(')');
      segment = { kind: 'filter', filter };
    } else if (this.peek() === "'" || this.peek() === '"') {
      const names = [this.quoted()];
      this.skipSpaces();
      while (this.eat(',')) {
        this.skipSpaces();
        names.push(this.quoted());
        this.skipSpaces();
      }
      segment = names.length === 1 ? { kind: 'name', name: names[0] } : { kind: 'names', names };
    } else {
      segment = this.numeric();
    }
    this.skipSpaces();
    this.expect(']');
    return segment;
  }

  quoted(): string {
    const quote = this.peek();
    this.pos++;
    let out = '';
    while (this.pos < this.text.length && this.peek() !== quote) {
      if (this.peek() === '\\' && this.pos + 1 < this.text.length) this.pos++;
      out += this.peek();
      this.pos++;
    }
    this.expect(quote);
    return out;
  }

  integer(): number | undefined {
    const match = /^-?\d+/.exec(this.text.slice(this.pos));
    if (!match) return undefined;
    this.pos += match[0].length;
    return Number(match[0]);
  }

  numeric(): Segment {
    const first = this.integer();
    this.skipSpaces();
    if (this.peek() === ':') {
      this.pos++;
      this.skipSpaces();
      const end = this.integer();
      this.skipSpaces();
      let step: number | undefined;
      if (this.eat(':')) {
        this.skipSpaces();
        step = this.integer();
      }
      if (step === 0) this.fail('slice step cannot be 0');
      return { kind: 'slice', start: first, end, step };
    }
    if (first === undefined) this.fail(`expected an index, a slice, '*', a filter or a quoted name at position ${this.pos}`);
    const indexes = [first];
    while (this.eat(',')) {
      this.skipSpaces();
      const next = this.integer();
      if (next === undefined) this.fail(`expected an index at position ${this.pos}`);
      indexes.push(next);
      this.skipSpaces();
    }
    return indexes.length === 1 ? { kind: 'index', index: first } : { kind: 'indexes', indexes };
  }
}

type Operand = (node: JsonValue, root: JsonValue) => JsonValue | undefined;

/** Filter expressions as Jayway reads them: `@`/`$` paths, literals, comparisons, `&&`, `||`, `!`. */
class FilterParser {
  constructor(readonly p: PathParser) {}

  expression(): Filter {
    let left = this.conjunction();
    this.p.skipSpaces();
    while (this.p.eat('||')) {
      const l = left;
      const r = this.conjunction();
      left = (n, root) => l(n, root) || r(n, root);
      this.p.skipSpaces();
    }
    return left;
  }

  conjunction(): Filter {
    let left = this.unary();
    this.p.skipSpaces();
    while (this.p.eat('&&')) {
      const l = left;
      const r = this.unary();
      left = (n, root) => l(n, root) && r(n, root);
      this.p.skipSpaces();
    }
    return left;
  }

  unary(): Filter {
    this.p.skipSpaces();
    if (this.p.peek() === '!' && this.p.peek(1) !== '=') {
      this.p.pos++;
      const inner = this.unary();
      return (n, root) => !inner(n, root);
    }
    if (this.p.peek() === '(') {
      this.p.pos++;
      const inner = this.expression();
      this.p.skipSpaces();
      this.p.expect(')');
      return inner;
    }
    return this.comparison();
  }

  comparison(): Filter {
    const left = this.operand();
    this.p.skipSpaces();
    const op = ['==', '!=', '<=', '>=', '<', '>', '=~', ' in ', ' nin '].find((candidate) =>
      this.p.text.startsWith(candidate.trim(), this.p.pos),
    );
    if (!op) return (n, root) => truthy(left(n, root));
    this.p.pos += op.trim().length;
    this.p.skipSpaces();
    if (op === '=~') {
      const regex = this.regex();
      return (n, root) => {
        const value = left(n, root);
        return typeof value === 'string' && regex.test(value);
      };
    }
    const right = this.operand();
    return comparator(op.trim(), left, right);
  }

  regex(): LinearRegExp {
    const p = this.p;
    p.expect('/');
    let source = '';
    while (p.pos < p.text.length && p.peek() !== '/') {
      if (p.peek() === '\\') {
        source += p.peek();
        p.pos++;
      }
      source += p.peek();
      p.pos++;
    }
    p.expect('/');
    let flags = '';
    while (/[imsx]/.test(p.peek())) {
      if (p.peek() !== 'x') flags += p.peek();
      p.pos++;
    }
    try {
      return new LinearRegExp(source, flags);
    } catch (error) {
      return p.fail(`bad regular expression /${source}/: ${(error as Error).message}`);
    }
  }

  operand(): Operand {
    const p = this.p;
    p.skipSpaces();
    const c = p.peek();
    if (c === '@' || c === '$') {
      p.pos++;
      const fromRoot = c === '$';
      const segments = p.segments((ch) => ' )=!<>&|,]'.includes(ch));
      const get = compileSegments(segments);
      return fromRoot ? (_n, root) => get(root) : (n) => get(n);
    }
    if (c === "'" || c === '"') {
      const value = p.quoted();
      return () => value;
    }
    if (c === '[') {
      p.pos++;
      const items: JsonValue[] = [];
      p.skipSpaces();
      while (p.peek() !== ']') {
        const item = this.operand()(null, null);
        if (item !== undefined) items.push(item);
        p.skipSpaces();
        if (!p.eat(',')) break;
        p.skipSpaces();
      }
      p.expect(']');
      return () => items;
    }
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(p.text.slice(p.pos));
    if (!literal) return p.fail(`unexpected '${c}' in filter at position ${p.pos}`);
    p.pos += literal[0].length;
    const value = JSON.parse(literal[0]) as JsonValue;
    return () => value;
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

function isDefinite(segments: Segment[]): boolean {
  return segments.every((s) => s.kind === 'name' || s.kind === 'index');
}

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

interface ParsedPath {
  /** `$` input, `$$` context, or a variable name. */
  root: '$' | '$$' | { variable: string };
  segments: Segment[];
  definite: boolean;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function parse(path: string, allowVariables: boolean): ParsedPath {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new JsonPathSyntaxError(String(path), "a path must start with '$'");
  let root: ParsedPath['root'];
  let rest: string;
  if (path.startsWith('$$')) {
    root = '$$';
    rest = path.slice(2);
  } else {
    const variable = VARIABLE_NAME.exec(path.slice(1));
    if (variable) {
      if (!allowVariables) throw new JsonPathSyntaxError(path, 'variables are not allowed here');
      root = { variable: variable[0] };
      rest = path.slice(1 + variable[0].length);
    } else {
      root = '$';
      rest = path.slice(1);
    }
  }
  const segments = new PathParser(rest, path).segments();
  return { root, segments, definite: isDefinite(segments) };
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
