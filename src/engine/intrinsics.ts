/**
 * The `States.*` intrinsic functions of JSONPath payload templates, parsed once
 * into closures. Argument counts and types are checked at compile time where
 * the arguments are literals and at run time otherwise; a bad argument is a
 * `States.IntrinsicFailure` inside the execution.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import { compileScopePath, JsonPathSyntaxError, jsonEquals, pathSource } from './jsonpath.js';
import { pathEnd } from '../asl/jsonpath.js';
import type { EvalScope } from './scope.js';
import { formatJson, formatNumber, parseJson } from './json-format.js';
import { StatesErrors } from '../asl/errors.js';

type Evaluator = (scope: EvalScope) => JsonValue;

type Arg =
  | { kind: 'literal'; value: JsonValue; raw?: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Arg[] };

export class IntrinsicSyntaxError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'IntrinsicSyntaxError';
  }
}

/** Whether a `.$` value is an intrinsic function call rather than a path. */
export function isIntrinsic(value: string): boolean {
  return /^\s*States\.[A-Za-z0-9]+\s*\(/.test(value);
}

// ---------------------------------------------------------------- parsing

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

class IntrinsicParser {
  pos = 0;
  depth = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new IntrinsicSyntaxError(this.text, `Invalid intrinsic function '${this.text}': ${reason}`);
  }

  spaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  parseTop(): Arg & { kind: 'call' } {
    this.spaces();
    const call = this.call();
    this.spaces();
    if (this.pos !== this.text.length) this.fail(`unexpected '${this.text.slice(this.pos)}' after the call`);
    return call;
  }

  call(): Arg & { kind: 'call' } {
    const match = /^States\.([A-Za-z0-9]+)\s*\(/.exec(this.text.slice(this.pos));
    if (!match) this.fail(`expected a States.* function at position ${this.pos}`);
    const name = `States.${match[1]}`;
    if (!FUNCTIONS[name]) this.fail(`unknown function ${name}`);
    this.pos += match[0].length;
    if (++this.depth > 10) this.fail('intrinsic functions can be nested at most 10 deep');
    const args: Arg[] = [];
    this.spaces();
    if (this.text[this.pos] === ')') {
      this.pos++;
    } else {
      for (;;) {
        this.spaces();
        args.push(this.arg());
        this.spaces();
        const c = this.text[this.pos];
        if (c === ',') {
          this.pos++;
          continue;
        }
        if (c === ')') {
          this.pos++;
          break;
        }
        this.fail(c === undefined ? "missing ')'" : `unexpected '${c}' at position ${this.pos}`);
      }
    }
    this.depth--;
    return { kind: 'call', name, args };
  }

  arg(): Arg {
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("'")) return this.string();
    if (rest.startsWith('States.')) return this.call();
    if (rest.startsWith('$')) return this.path();
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)(?=\s*[,)])/.exec(rest);
    if (literal) {
      this.pos += literal[0].length;
      return { kind: 'literal', value: JSON.parse(literal[0]) as JsonValue };
    }
    return this.fail(`unexpected argument at position ${this.pos}`);
  }

  /**
   * `'...'` with backslash escapes: `\'`, `\{`, `\}`, `\\` stand for the
   * character itself, `\n`, `\t`, `\r` for control characters. `raw` keeps
   * the brace and backslash escapes so States.Format can tell them from `{}`.
   */
  string(): Arg {
    this.pos++;
    let value = '';
    let raw = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string literal');
      const c = this.text[this.pos];
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) this.fail('unterminated string literal');
        const unescaped = ESCAPES[next] ?? next;
        value += unescaped;
        raw += next === '{' || next === '}' || next === '\\' ? `\\${next}` : unescaped;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        this.pos++;
        break;
      }
      value += c;
      raw += c;
      this.pos++;
    }
    return { kind: 'literal', value, raw };
  }

  /** A path runs as far as the grammar's pathEnd says (the next `,` or `)` outside brackets, parentheses and quotes). */
  path(): Arg {
    const start = this.pos;
    this.pos = pathEnd(this.text, start);
    const path = this.text.slice(start, this.pos).trim();
    return { kind: 'path', path };
  }
}

// ---------------------------------------------------------------- helpers

export function intrinsicFailure(message: string): StatesError {
  return new StatesError(StatesErrors.IntrinsicFailure, message);
}

function typeName(value: JsonValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expectArray(position: string, value: JsonValue): JsonValue[] {
  if (!Array.isArray(value)) throw intrinsicFailure(`The ${position} argument must be an array but was ${typeName(value)}: ${formatJson(value)}`);
  return value;
}

function expectString(position: string, value: JsonValue): string {
  if (typeof value !== 'string') throw intrinsicFailure(`The ${position} argument must be a string but was ${typeName(value)}: ${formatJson(value)}`);
  return value;
}

function expectNumber(position: string, value: JsonValue): number {
  if (typeof value !== 'number') throw intrinsicFailure(`The ${position} argument must be a number but was ${typeName(value)}: ${formatJson(value)}`);
  return value;
}

/** Java's Math.round, which AWS applies to non-integer arguments: halves go up. */
function javaRound(value: number): number {
  return Math.floor(value + 0.5);
}

function expectInteger(position: string, value: JsonValue): number {
  return javaRound(expectNumber(position, value));
}

const MAX_STRING = 10_000;

/** States.Format's rendering of a value: strings raw, JSON otherwise (objects as Java maps print). */
function formatArgument(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (value === null || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatArgument).join(', ')}]`;
  return `{${Object.keys(value)
    .map((key) => `${key}=${formatArgument(value[key])}`)
    .join(', ')}}`;
}

/**
 * Fills `{}` from `args`. A template written as a literal keeps its `\{`,
 * `\}` and `\\` escapes (`escaped`); one read from a path has none.
 */
function formatTemplate(template: string, args: JsonValue[], escaped: boolean): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (escaped && c === '\\' && i + 1 < template.length) {
      out += template[++i];
    } else if (c === '{' && template[i + 1] === '}') {
      if (next >= args.length) throw intrinsicFailure('Number of arguments in States.Format do not match the occurrences of {}');
      out += formatArgument(args[next++]);
      i++;
    } else {
      out += c;
    }
  }
  if (next !== args.length) throw intrinsicFailure('Number of arguments in States.Format do not match the occurrences of {}');
  return out;
}

/** A 48-bit linear congruential generator, as java.util.Random, so seeded results are stable. */
function seededInt(seed: number, bound: number): number {
  const multiplier = 0x5deece66dn;
  const mask = (1n << 48n) - 1n;
  let state = (BigInt(Math.trunc(seed)) ^ multiplier) & mask;
  const next = (bits: number) => {
    state = (state * multiplier + 0xbn) & mask;
    return Number(BigInt.asIntN(32, state >> BigInt(48 - bits)));
  };
  if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(next(31))) >> 31n);
  let bits: number;
  let value: number;
  do {
    bits = next(31);
    value = bits % bound;
  } while (bits - value + (bound - 1) < 0 || bits - value + (bound - 1) > 0x7fffffff);
  return value;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

// ---------------------------------------------------------------- functions

interface FunctionSpec {
  min: number;
  max: number;
  run(args: JsonValue[], raw: Array<string | undefined>): JsonValue;
}

const FUNCTIONS: Record<string, FunctionSpec> = {
  'States.Format': {
    min: 1,
    max: Infinity,
    run(args, raw) {
      const template = expectString('first', args[0]);
      return formatTemplate(raw[0] ?? template, args.slice(1), raw[0] !== undefined);
    },
  },
  'States.StringToJson': {
    min: 1,
    max: 1,
    run([text]) {
      const s = expectString('first', text);
      // AWS reads blank text as null.
      if (s.trim() === '') return null;
      try {
        return parseJson(s);
      } catch {
        throw intrinsicFailure(`The argument is not valid JSON: ${s}`);
      }
    },
  },
  'States.JsonToString': {
    min: 1,
    max: 1,
    run([value]) {
      return formatJson(value);
    },
  },
  'States.Array': {
    min: 0,
    max: Infinity,
    run(args) {
      return args;
    },
  },
  'States.ArrayPartition': {
    min: 2,
    max: 2,
    run([array, size]) {
      const items = expectArray('first', array);
      const chunk = expectInteger('second', size);
      if (chunk <= 0) throw intrinsicFailure(`The chunk size must be a positive integer but was ${formatNumber(chunk)}`);
      const out: JsonValue[] = [];
      for (let i = 0; i < items.length; i += chunk) out.push(items.slice(i, i + chunk));
      return out;
    },
  },
  'States.ArrayContains': {
    min: 2,
    max: 2,
    run([array, value]) {
      return expectArray('first', array).some((item) => jsonEquals(item, value));
    },
  },
  'States.ArrayRange': {
    min: 3,
    max: 3,
    run([first, last, step]) {
      const start = expectInteger('first', first);
      const end = expectInteger('second', last);
      const by = expectInteger('third', step);
      if (by === 0) throw intrinsicFailure('The step must not be 0');
      const count = Math.floor((end - start) / by) + 1;
      if (count > 1000) throw intrinsicFailure(`The array cannot contain more than 1000 items but would contain ${count}`);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(start + i * by);
      return out;
    },
  },
  'States.ArrayGetItem': {
    min: 2,
    max: 2,
    run([array, index]) {
      const items = expectArray('first', array);
      const at = expectInteger('second', index);
      if (at < 0 || at >= items.length) throw intrinsicFailure(`Index ${at} is out of bounds for an array of ${items.length} items`);
      return items[at];
    },
  },
  'States.ArrayLength': {
    min: 1,
    max: 1,
    run([array]) {
      return expectArray('first', array).length;
    },
  },
  'States.ArrayUnique': {
    min: 1,
    max: 1,
    run([array]) {
      const out: JsonValue[] = [];
      for (const item of expectArray('first', array)) if (!out.some((seen) => jsonEquals(seen, item))) out.push(item);
      return out;
    },
  },
  'States.Base64Encode': {
    min: 1,
    max: 1,
    run([value]) {
      const s = expectString('first', value);
      if (s.length > MAX_STRING) throw intrinsicFailure(`The input string can be at most ${MAX_STRING} characters long but was ${s.length}`);
      return Buffer.from(s, 'utf8').toString('base64');
    },
  },
  'States.Base64Decode': {
    min: 1,
    max: 1,
    run([value]) {
      const s = expectString('first', value);
      if (s.length > MAX_STRING) throw intrinsicFailure(`The input string can be at most ${MAX_STRING} characters long but was ${s.length}`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw intrinsicFailure(`The input is not valid base64: ${s}`);
      return Buffer.from(s, 'base64').toString('utf8');
    },
  },
  'States.Hash': {
    min: 2,
    max: 2,
    run([data, algorithm]) {
      const input = typeof data === 'string' ? data : formatJson(data);
      if (input.length > MAX_STRING) throw intrinsicFailure(`The input data can be at most ${MAX_STRING} characters long but was ${input.length}`);
      const name = expectString('second', algorithm);
      const node = HASHES[name];
      if (!node) throw intrinsicFailure(`Unsupported hash algorithm '${name}', use one of ${Object.keys(HASHES).join(', ')}`);
      return createHash(node).update(input, 'utf8').digest('hex');
    },
  },
  'States.JsonMerge': {
    min: 3,
    max: 3,
    run([left, right, deep]) {
      if (deep !== false) throw intrinsicFailure('Deep merging is not supported, the third argument must be false');
      for (const [value, position] of [
        [left, 'first'],
        [right, 'second'],
      ] as const) {
        if (typeof value !== 'object' || value === null || Array.isArray(value))
          throw intrinsicFailure(`The ${position} argument must be a JSON object but was ${typeName(value)}: ${formatJson(value)}`);
      }
      return { ...(left as object), ...(right as object) } as JsonValue;
    },
  },
  'States.MathRandom': {
    min: 2,
    max: 3,
    run([first, last, seed]) {
      const start = expectInteger('first', first);
      const end = expectInteger('second', last);
      if (end <= start) throw intrinsicFailure(`The end (${end}) must be greater than the start (${start})`);
      const bound = end - start;
      if (seed === undefined) return start + Math.floor(Math.random() * bound);
      return start + seededInt(expectInteger('third', seed), bound);
    },
  },
  'States.MathAdd': {
    min: 2,
    max: 2,
    run([a, b]) {
      return expectInteger('first', a) + expectInteger('second', b);
    },
  },
  'States.StringSplit': {
    min: 2,
    max: 2,
    run([value, separators]) {
      const s = expectString('first', value);
      const chars = expectString('second', separators);
      if (chars === '') return s === '' ? [] : [s];
      // Each character of the second argument separates tokens; empty tokens are dropped.
      const out: string[] = [];
      let token = '';
      for (const c of s) {
        if (chars.includes(c)) {
          if (token) out.push(token);
          token = '';
        } else token += c;
      }
      if (token) out.push(token);
      return out;
    },
  },
  'States.UUID': {
    min: 0,
    max: 0,
    run() {
      return randomUUID();
    },
  },
};

// ---------------------------------------------------------------- compiling

function countProblem(name: string, spec: FunctionSpec, got: number): string | undefined {
  if (got >= spec.min && got <= spec.max) return undefined;
  const expected = spec.min === spec.max ? `${spec.min}` : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
  return `The function ${name} takes ${expected} argument${expected === '1' ? '' : 's'} but was given ${got}`;
}

function compileArg(arg: Arg): Evaluator {
  if (arg.kind === 'literal') {
    const value = arg.value;
    return () => value;
  }
  if (arg.kind === 'path') {
    const get = compileScopePath(arg.path);
    const path = arg.path;
    return (scope) => {
      const value = get(scope);
      if (value === undefined)
        throw new StatesError(StatesErrors.Runtime, `The JsonPath argument for the field '${path}' could not be found in the input '${formatJson(pathSource(path, scope))}'`);
      return value;
    };
  }
  return compileCall(arg);
}

function compileCall(call: Arg & { kind: 'call' }): Evaluator {
  const spec = FUNCTIONS[call.name];
  const problem = countProblem(call.name, spec, call.args.length);
  if (problem) throw new IntrinsicSyntaxError(call.name, problem);
  const raw = call.args.map((a) => (a.kind === 'literal' ? a.raw : undefined));
  const args = call.args.map(compileArg);
  const run = spec.run;
  switch (args.length) {
    case 0:
      return () => run([], raw);
    case 1: {
      const [a] = args;
      return (scope) => run([a(scope)], raw);
    }
    case 2: {
      const [a, b] = args;
      return (scope) => run([a(scope), b(scope)], raw);
    }
    default:
      return (scope) =>
        run(
          args.map((arg) => arg(scope)),
          raw,
        );
  }
}

function parseIntrinsic(expression: string): Arg & { kind: 'call' } {
  return new IntrinsicParser(expression).parseTop();
}

/**
 * Compiles `States.Fn(...)` into a closure. Throws IntrinsicSyntaxError (or
 * JsonPathSyntaxError for a bad path argument) on a malformed expression.
 */
export function compileIntrinsic(expression: string): (scope: EvalScope) => JsonValue {
  const call = parseIntrinsic(expression);
  // MathAdd on two paths is the hot loop counter: keep it to two lookups and an add.
  const evaluate = call.name === 'States.MathAdd' && call.args.length === 2 ? compileMathAdd(call.args) : compileCall(call);
  return (scope) => {
    try {
      return evaluate(scope);
    } catch (error) {
      // AWS names the whole call in front of what went wrong inside it.
      if (error instanceof StatesError) throw new StatesError(error.error, `The function '${expression}' had the following error: ${error.cause}`);
      throw error;
    }
  };
}

function compileMathAdd(argList: Arg[]): Evaluator {
  const [a, b] = argList.map(compileArg);
  return (scope) => {
    const x = a(scope);
    const y = b(scope);
    if (typeof x === 'number' && typeof y === 'number' && Number.isInteger(x) && Number.isInteger(y)) return x + y;
    return FUNCTIONS['States.MathAdd'].run([x, y], []);
  };
}

/** Compile-time check: undefined when the expression is valid, else the reason. */
export function checkIntrinsic(expression: string): string | undefined {
  try {
    compileIntrinsic(expression);
    return undefined;
  } catch (error) {
    if (error instanceof IntrinsicSyntaxError || error instanceof JsonPathSyntaxError) return error.message;
    throw error;
  }
}
