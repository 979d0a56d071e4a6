/**
 * The JSONPath grammar of the States Language as AWS reads it (AWS runs Jayway
 * JsonPath): dot and bracket notation, `[*]`, slices, unions, filters
 * `[?(@.x > 1 && @.y =~ /re/)]` and `..`, from `$` (the input), `$$` (the
 * context object) or `$name` (a variable).
 *
 * One grammar for both sides: `deliv validate` (validate.ts) refuses what this
 * parser refuses, and the engine (src/engine/jsonpath.ts) compiles the tree it
 * returns, so a path that passes validation is one the emulator can run, and a
 * refused one is refused in the same words by both.
 */
import { compileLinearRegex } from './regex.js';
import type { JsonValue } from './types.js';

export type PathSegment =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'names'; names: string[] }
  | { kind: 'indexes'; indexes: number[] }
  /** `start`/`end`: where `[?(` begins and just past its `)]`, in the whole path. */
  | { kind: 'filter'; filter: FilterNode; start: number; end: number }
  | { kind: 'deep'; inner: PathSegment };

export type ComparisonOperator = '==' | '!=' | '<=' | '>=' | '<' | '>' | 'in' | 'nin';

export type FilterNode =
  | { kind: 'or' | 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; inner: FilterNode }
  /** A bare operand: Jayway tests that the path exists (and is not false). */
  | { kind: 'exists'; operand: FilterOperand }
  | { kind: 'compare'; op: ComparisonOperator; left: FilterOperand; right: FilterOperand }
  | { kind: 'match'; left: FilterOperand; source: string; flags: string };

export type FilterOperand =
  | { kind: 'path'; root: '@' | '$'; segments: PathSegment[] }
  | { kind: 'literal'; value: JsonValue }
  | { kind: 'list'; items: FilterOperand[] };

export interface ParsedPath {
  /** `$` input, `$$` context, or a variable name. */
  root: '$' | '$$' | { variable: string };
  segments: PathSegment[];
  /** Names and indexes only: the path selects one node or nothing (a reference path). */
  definite: boolean;
}

export class JsonPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Invalid JSONPath '${path}': ${reason}`);
    this.name = 'JsonPathSyntaxError';
  }
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS: ComparisonOperator[] = ['==', '!=', '<=', '>=', '<', '>'];
const OPERAND_END = ' )=!<>&|,]';

/** Parses a path as written in a definition; JsonPathSyntaxError (with the position in `path`) when it is not one. */
export function parsePath(path: string, options: { variables?: boolean } = {}): ParsedPath {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new JsonPathSyntaxError(String(path), "a path must start with '$'");
  let root: ParsedPath['root'];
  let from: number;
  if (path.startsWith('$$')) {
    root = '$$';
    from = 2;
  } else {
    const variable = VARIABLE_NAME.exec(path.slice(1));
    if (variable) {
      if (options.variables === false) throw new JsonPathSyntaxError(path, 'variables are not allowed here');
      root = { variable: variable[0] };
      from = 1 + variable[0].length;
    } else {
      root = '$';
      from = 1;
    }
  }
  const segments = new PathParser(path, from).segments();
  return { root, segments, definite: isDefinite(segments) };
}

/** Whether segments select one node at most: names and indexes only. */
export function isDefinite(segments: ReadonlyArray<{ kind: string }>): boolean {
  return segments.every((s) => s.kind === 'name' || s.kind === 'index');
}

/** The reason a path is not valid JSONPath, or undefined. */
export function pathSyntaxProblem(path: string, options: { variables?: boolean } = {}): string | undefined {
  try {
    parsePath(path, options);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathSyntaxError) return error.message;
    throw error;
  }
}

/**
 * Where a path that starts at `from` inside a larger expression (an intrinsic function's argument)
 * ends: at the next `,` or `)` outside brackets, parentheses and quotes, or at the end of `text`.
 */
export function pathEnd(text: string, from: number): number {
  let depth = 0;
  let quote = '';
  let pos = from;
  for (; pos < text.length; pos++) {
    const c = text[pos];
    if (quote) {
      if (c === '\\') pos++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
  }
  return Math.min(pos, text.length);
}

/** A recursive-descent reader over the whole path; positions in errors are offsets into it. */
class PathParser {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  fail(reason: string): never {
    throw new JsonPathSyntaxError(this.text, reason);
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
  segments(stop?: (c: string) => boolean): PathSegment[] {
    const segments: PathSegment[] = [];
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
      // Jayway's functions (`.length()`, `.sum()`): AWS evaluates none of them.
      if (c === '(') this.fail(`unsupported function call at position ${start} (JSONPath functions such as length() are not supported)`);
      if (c === ' ') break;
      this.pos++;
    }
    if (this.pos === start) this.fail(`expected a property name at position ${start}`);
    return this.text.slice(start, this.pos);
  }

  bracket(): PathSegment {
    const start = this.pos;
    this.expect('[');
    this.skipSpaces();
    let segment: PathSegment;
    if (this.eat('*')) {
      segment = { kind: 'wildcard' };
    } else if (this.peek() === '?') {
      this.pos++;
      this.skipSpaces();
      this.expect('(');
      const filter = new FilterParser(this).expression();
      this.skipSpaces();
      this.expect(')');
      this.skipSpaces();
      this.expect(']');
      return { kind: 'filter', filter, start, end: this.pos };
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

  numeric(): PathSegment {
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

/** Filter expressions as Jayway reads them: `@`/`$` paths, literals, comparisons, `=~`, `in`, `nin`, `&&`, `||`, `!`. */
class FilterParser {
  constructor(readonly p: PathParser) {}

  expression(): FilterNode {
    return this.chain('||', 'or', () => this.conjunction());
  }

  conjunction(): FilterNode {
    return this.chain('&&', 'and', () => this.unary());
  }

  /** `next (token next)*`, grouped from the left (`&&` binds tighter than `||`). */
  chain(token: string, kind: 'or' | 'and', next: () => FilterNode): FilterNode {
    let left = next();
    this.p.skipSpaces();
    while (this.p.eat(token)) {
      left = { kind, left, right: next() };
      this.p.skipSpaces();
    }
    return left;
  }

  unary(): FilterNode {
    this.p.skipSpaces();
    if (this.p.peek() === '!' && this.p.peek(1) !== '=') {
      this.p.pos++;
      return { kind: 'not', inner: this.unary() };
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

  comparison(): FilterNode {
    const left = this.operand();
    const p = this.p;
    p.skipSpaces();
    if (p.eat('=~')) {
      p.skipSpaces();
      return { kind: 'match', left, ...this.regex() };
    }
    const op = OPERATORS.find((candidate) => p.text.startsWith(candidate, p.pos)) ?? (p.text.startsWith('in', p.pos) ? 'in' : p.text.startsWith('nin', p.pos) ? 'nin' : undefined);
    if (!op) return { kind: 'exists', operand: left };
    p.pos += op.length;
    p.skipSpaces();
    return { kind: 'compare', op, left, right: this.operand() };
  }

  regex(): { source: string; flags: string } {
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
      compileLinearRegex(source, flags);
    } catch (error) {
      p.fail(`bad regular expression /${source}/: ${(error as Error).message}`);
    }
    return { source, flags };
  }

  operand(): FilterOperand {
    const p = this.p;
    p.skipSpaces();
    const c = p.peek();
    if (c === '@' || c === '$') {
      p.pos++;
      return { kind: 'path', root: c, segments: p.segments((ch) => OPERAND_END.includes(ch)) };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: p.quoted() };
    if (c === '[') {
      p.pos++;
      const items: FilterOperand[] = [];
      p.skipSpaces();
      while (p.peek() !== ']') {
        items.push(this.operand());
        p.skipSpaces();
        if (!p.eat(',')) break;
        p.skipSpaces();
      }
      p.expect(']');
      return { kind: 'list', items };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(p.text.slice(p.pos));
    if (!literal) return p.fail(`unexpected '${c}' in filter at position ${p.pos}`);
    p.pos += literal[0].length;
    return { kind: 'literal', value: JSON.parse(literal[0]) as JsonValue };
  }
}
