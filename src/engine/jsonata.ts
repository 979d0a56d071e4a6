/**
 * JSONata in Step Functions: any string value written `{% expression %}`
 * (Arguments, Output, Assign, Items, Condition, TimeoutSeconds, ...) is an
 * expression evaluated with `$states` and the state's variables bound; every
 * other value is a constant. AWS's extra functions ($partition, $range, $hash,
 * $random, $uuid, $parse) are bound too.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type jsonataType from 'jsonata';
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import { formatJson, parseJson } from './json-format.js';
import { compileFast, FALLBACK } from './jsonata-fast.js';
import { LinearRegExp } from './regex.js';
import type { EvalScope, ExpressionProblem } from './scope.js';
import { StatesErrors } from '../asl/errors.js';
import { evaluateInWorker, type JsonataJob } from './jsonata-workers.js';

type Evaluator = (scope: EvalScope) => JsonValue | Promise<JsonValue>;

let jsonataPackage: typeof jsonataType | undefined;

/**
 * The jsonata package, loaded on the first expression: a machine without
 * JSONata (and a command that runs none) never pays for it. Loaded as the
 * CommonJS it is, synchronously, since compiling a definition is synchronous.
 */
function jsonata(): typeof jsonataType {
  jsonataPackage ??= createRequire(import.meta.url)('jsonata') as typeof jsonataType;
  return jsonataPackage;
}

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The expression inside `{% ... %}`, or undefined when the value is not one. */
export function jsonataExpression(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = EXPRESSION.exec(value);
  return match ? match[1].trim() : undefined;
}

/**
 * No expression may run unbounded on the event loop: jsonata's guardrails stop
 * an evaluation that runs longer or nests deeper than this (D1012, D1011),
 * which fails the state with States.QueryEvaluationError. An expression that
 * once took longer than `workerAfterMs` runs in a worker thread from then on
 * (see compileJsonataExpression); 0 sends every evaluation of the jsonata
 * package there. An evaluation in this thread is cut at `inThreadMs` and
 * given to a worker with the whole `timeoutMs`, so even an expression's first
 * evaluation holds the event loop no longer than that.
 */
export const JSONATA_LIMITS = { timeoutMs: 5_000, depth: 500, workerAfterMs: 20, inThreadMs: 50 };

export class JsonataSyntaxError extends Error {
  constructor(readonly problems: ExpressionProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'JsonataSyntaxError';
  }
}

export function queryEvaluationError(cause: string): StatesError {
  return new StatesError(StatesErrors.QueryEvaluationError, cause);
}

/** The JSON type name AWS uses in its messages. */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** AWS's cause when an expression's result has the wrong type for its field. */
export function unexpectedTypeCause(expression: string, field: string, expected: string, value: JsonValue): string {
  return `The JSONata expression '${expression}' specified for the field '${field}' returned an unexpected result type. Expected '${expected}', but was '${jsonTypeName(value)}' for value: ${formatJson(value)}`;
}

// ---------------------------------------------------------------- AWS functions

function fail(message: string): never {
  throw { code: 'States', message };
}

function partition(array: unknown[], size: number): JsonValue {
  if (!Number.isInteger(size) || size <= 0) fail('The chunk size of $partition must be a positive integer');
  const out: JsonValue[] = [];
  for (let i = 0; i < array.length; i += size) out.push(toJson(array.slice(i, i + size)) as JsonValue);
  return out;
}

/**
 * AWS's `$range(start, end, step)`: both ends inclusive, arguments truncated
 * to integers; an empty range is undefined and a one-item range a single value,
 * as JSONata sequences behave.
 */
function range(start: number, end: number, step: number): JsonValue | undefined {
  const [from, to, by] = [start, end, step].map(Math.trunc);
  if (by === 0 || (by > 0 && from > to) || (by < 0 && from < to)) return undefined;
  const count = Math.floor((to - from) / by) + 1;
  if (count > MAX_RANGE) fail(`$range cannot produce more than ${MAX_RANGE} items`);
  if (count === 1) return from;
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = from + i * by;
  return out;
}

const MAX_RANGE = 1_000_000;

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function hash(value: unknown, algorithm: string): JsonValue {
  const node = HASHES[algorithm];
  if (!node) fail(`Unsupported hash algorithm ${JSON.stringify(algorithm)}: use one of ${Object.keys(HASHES).join(', ')}`);
  const data = typeof value === 'string' ? value : formatJson(toJson(value) ?? null);
  return createHash(node).update(data, 'utf8').digest('hex');
}

/** mulberry32: a small seeded generator, so `$random(seed)` repeats. */
function seededRandom(seed: number): number {
  let t = (Math.trunc(seed) + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function random(seed?: number): JsonValue {
  return seed === undefined ? Math.random() : seededRandom(seed);
}

function parse(text: string): JsonValue {
  try {
    return parseJson(text);
  } catch {
    return fail(`The argument of $parse is not valid JSON: ${text}`);
  }
}

const AWS_FUNCTIONS: Record<string, { fn: (...args: any[]) => unknown; signature: string }> = {
  partition: { fn: partition, signature: '<an:a>' },
  range: { fn: range, signature: '<nnn:a>' },
  hash: { fn: hash, signature: '<xs:s>' },
  random: { fn: random, signature: '<n?:n>' },
  uuid: { fn: () => randomUUID(), signature: '<:s>' },
  parse: { fn: parse, signature: '<s:x>' },
};

// ---------------------------------------------------------------- evaluation

/** Turns a JSONata result into plain JSON (sequences into arrays); undefined stays undefined. */
/**
 * A JSONata result as the JSON AWS hands on, by JSON.stringify's rules: a
 * function (a lambda or a built-in) is no value (nothing at the top, a
 * dropped key in an object, null in an array), and a non-finite number is null.
 */
function toJson(value: unknown, inArray = false): JsonValue | undefined {
  // jsonata's lambdas are plain (circular) objects and its built-ins carry a marker: both are functions.
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && ('_jsonata_lambda' in value || '_jsonata_function' in value)) {
    return inArray ? null : undefined;
  }
  if (value === undefined || value === null || typeof value !== 'object') {
    if (typeof value === 'function') return inArray ? null : undefined;
    if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    return value === undefined && inArray ? null : (value as JsonValue | undefined);
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (const item of value) {
      // jsonata's sequences leave out undefined items; a function in one is null, as JSON.stringify writes it.
      if (item === undefined) continue;
      out.push(toJson(item, true) as JsonValue);
    }
    return out;
  }
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    const json = toJson((value as Record<string, unknown>)[key]);
    if (json !== undefined) out[key] = json;
  }
  return out;
}

/** A JSONata error as AWS prints it: `T2002: The right side of the "+" operator must evaluate to a number`. */
function errorText(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { code?: string; message: string; value?: unknown; type?: unknown };
    // AWS's JSONata words this one differently from jsonata-js.
    if (e.code === 'T0412') return `T0412: Argument ${JSON.stringify(e.value)} must be an array of ${JSON.stringify(e.type)}`;
    return e.code && e.code !== 'States' ? `${e.code}: ${e.message}` : e.message;
  }
  return String(error);
}

/** A States.QueryEvaluationError that also says which field failed (`location` of AWS's EvaluationFailed event). */
export class QueryEvaluationError extends StatesError {
  constructor(cause: string, location: string) {
    super(StatesErrors.QueryEvaluationError, cause, location);
  }
}

/** jsonata's compiled form of an expression, with the limits, the linear-time regex engine and AWS's functions; throws jsonata's own error on a malformed one. */
export function prepareJsonata(expression: string, limits: { timeoutMs: number; depth: number } = JSONATA_LIMITS): jsonataType.Expression {
  const compiled = jsonata()(expression, { RegexEngine: LinearRegExp as unknown as RegExpConstructor, timeout: limits.timeoutMs, stack: limits.depth });
  for (const [name, { fn, signature }] of Object.entries(AWS_FUNCTIONS)) compiled.registerFunction(name, fn, signature);
  return compiled;
}

/**
 * The one evaluation of the jsonata package, in this thread or in a worker
 * (src/engine/jsonata-workers.ts): the result as JSON, or a
 * QueryEvaluationError worded as AWS words it.
 */
export async function evaluatePrepared(compiled: jsonataType.Expression, { expression, field, input, bindings, timeoutMs }: JsonataJob): Promise<JsonValue> {
  let json: JsonValue | undefined;
  try {
    json = toJson(await compiled.evaluate(input, bindings));
  } catch (error) {
    // Stopped at a shorter limit than the job's own: this thread's cut, not the expression's time limit.
    if (isTimeLimit(error) && error.value < timeoutMs) throw new CutInThread();
    // Never a JavaScript engine error in a cause: a blown stack is worded as AWS words it.
    if (error instanceof RangeError) {
      throw new QueryEvaluationError(
        `The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation: Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive.`,
        field,
      );
    }
    throw new QueryEvaluationError(evaluationFailureCause(expression, field, errorText(error)), field);
  }
  if (json === undefined) throw new QueryEvaluationError(`The JSONata expression '${expression}' specified for the field '${field}' returned nothing (undefined).`, field);
  return json;
}

/** An evaluation this thread stopped at JSONATA_LIMITS.inThreadMs, to finish in a worker. */
class CutInThread extends Error {}

function isTimeLimit(error: unknown): error is { code: 'D1012'; value: number } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'D1012' && typeof (error as { value?: unknown }).value === 'number';
}

/** AWS's cause for an expression that threw: `... threw an error during evaluation. D1012: Evaluation timeout after 5000 milliseconds. ...`. */
function evaluationFailureCause(expression: string, field: string, error: string): string {
  return `The JSONata expression '${expression}' specified for the field '${field}' threw an error during evaluation. ${error}`;
}

/** jsonata's own words for an evaluation stopped at the time limit, as its guardrail throws them. */
function timeLimitText(timeoutMs: number): string {
  return errorText({ code: 'D1012', message: `Evaluation timeout after ${timeoutMs} milliseconds. Check for infinite loop` });
}

/** Evaluates in a worker thread: the same value, or the same QueryEvaluationError, as evaluatePrepared here. */
async function inWorker(job: JsonataJob): Promise<JsonValue> {
  const outcome = await evaluateInWorker(job);
  if ('value' in outcome) return outcome.value;
  const { expression, field } = job;
  if ('cause' in outcome) throw new QueryEvaluationError(outcome.cause, field);
  // Terminated at the time limit (one step jsonata's guardrail could not interrupt), or the worker died (out of memory).
  throw new QueryEvaluationError(evaluationFailureCause(expression, field, 'timedOut' in outcome ? timeLimitText(job.timeoutMs) : outcome.lost), field);
}

/**
 * How the jsonata package's evaluations share the thread, to tell a slow
 * expression from one that merely waited: the evaluations in flight at once
 * interleave their steps (each is a chain of promise callbacks), so an
 * evaluation's wall time counts the others' too. Its own share is its time
 * over the number of evaluations that ran beside it.
 */
const sharing = { inFlight: 0, started: 0 };

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Ranges of up to this many items are cheap enough to build in the engine's thread. */
const SMALL_RANGE = 100_000;

/**
 * Whether an expression has a range (`[a..b]`) that is not two number
 * literals close together. Building a range, and a function applied to the
 * whole of it (`$string`, `$sort`), is one step jsonata's guardrail cannot
 * interrupt: a range of millions holds the thread for seconds, so such an
 * expression is evaluated in a worker from its first evaluation on.
 */
function mayBuildHugeSequence(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(mayBuildHugeSequence);
  if (node === null || typeof node !== 'object') return false;
  const { type, value, lhs, rhs } = node as { type?: unknown; value?: unknown; lhs?: { type?: unknown; value?: unknown }; rhs?: { type?: unknown; value?: unknown } };
  if (type === 'binary' && value === '..') {
    const literal = lhs?.type === 'number' && rhs?.type === 'number';
    if (!literal || Math.abs(Number(rhs.value) - Number(lhs.value)) > SMALL_RANGE) return true;
  }
  return Object.values(node).some(mayBuildHugeSequence);
}

/**
 * Compiles one JSONata expression (without the `{% %}`). `field` names it in
 * AWS's messages (`Output`, `Assign/result`, `Arguments/a/b[0]`).
 * Throws a JsonataSyntaxError on a malformed expression.
 *
 * An expression one evaluation of which took longer than
 * JSONATA_LIMITS.workerAfterMs (of wall time and CPU time: a thread the
 * loaded machine descheduled was not busy) is evaluated from then on in a
 * worker thread, whose time limit is enforced by terminating it: one
 * evaluation can then hold the event loop (the emulator's API, its other
 * executions) only once, not on every turn of a loop. Everything quicker
 * stays here, where it costs no copy and no round trip.
 */
export function compileJsonataExpression(expression: string, field: string): (scope: EvalScope) => JsonValue | Promise<JsonValue> {
  let compiled: jsonataType.Expression;
  // The limits as they are now, for this thread's jsonata and a worker's alike.
  const { timeoutMs, depth } = JSONATA_LIMITS;
  // Here an evaluation is cut sooner and handed to a worker, which has the whole time limit.
  const cutAtMs = JSONATA_LIMITS.inThreadMs > 0 ? Math.min(JSONATA_LIMITS.inThreadMs, timeoutMs) : timeoutMs;
  try {
    compiled = prepareJsonata(expression, { timeoutMs: cutAtMs, depth });
  } catch (error) {
    throw new JsonataSyntaxError([{ field, message: `The JSONata expression '${expression}' is not valid: ${errorText(error)}` }]);
  }
  let slow = JSONATA_LIMITS.workerAfterMs <= 0 || mayBuildHugeSequence(compiled.ast());
  const inThread = async (job: JsonataJob): Promise<JsonValue> => {
    const others = sharing.inFlight;
    const started = sharing.started;
    sharing.inFlight += 1;
    sharing.started += 1;
    const wallStart = performance.now();
    const cpuStart = cpuMs();
    try {
      return await evaluatePrepared(compiled, job);
    } catch (error) {
      if (!(error instanceof CutInThread)) throw error;
      // jsonata evaluates without side effects, so running it again elsewhere changes nothing but where it runs.
      slow = true;
      return inWorker(job);
    } finally {
      sharing.inFlight -= 1;
      const beside = 1 + others + (sharing.started - started - 1);
      const wall = performance.now() - wallStart;
      // The wall clock first: it is cheap, and CPU time can only be shorter.
      if (wall / beside > JSONATA_LIMITS.workerAfterMs && Math.min(wall, cpuMs() - cpuStart) / beside > JSONATA_LIMITS.workerAfterMs) slow = true;
    }
  };
  const evaluate = (scope: EvalScope): Promise<JsonValue> => {
    const extra = scope.states;
    const input = extra?.input !== undefined ? extra.input : scope.input;
    const states: Record<string, JsonValue> = { input };
    if (!slow) {
      // The context object is the scope's to build, when the expression reads it (see StatesScope).
      if (extra?.context !== undefined) states.context = extra.context;
      else Object.defineProperty(states, 'context', { get: () => scope.context, enumerable: true, configurable: true });
    } else states.context = extra?.context !== undefined ? extra.context : scope.context;
    if (extra?.result !== undefined) states.result = extra.result;
    if (extra?.errorOutput !== undefined) states.errorOutput = extra.errorOutput;
    const job: JsonataJob = { expression, field, input, bindings: { ...scope.variables, states }, timeoutMs, depth };
    return slow ? inWorker(job) : inThread(job);
  };
  // Plain expressions run synchronously; anything the fast path is unsure of goes to jsonata.
  const fast = compileFast(compiled.ast());
  if (!fast) return evaluate;
  return (scope) => {
    const value = fast(scope);
    return value === FALLBACK ? evaluate(scope) : value;
  };
}

function compileNode(value: JsonValue, field: string, problems: ExpressionProblem[]): Evaluator | undefined {
  const expression = jsonataExpression(value);
  if (expression !== undefined) {
    try {
      return compileJsonataExpression(expression, field);
    } catch (error) {
      if (!(error instanceof JsonataSyntaxError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileNode(item, `${field}[${i}]`, problems));
    if (items.every((e) => e === undefined)) return undefined;
    const evaluators = items.map((e, i) => e ?? (() => value[i]));
    return (scope) => settle(evaluators.map((e) => e(scope)), (results) => results);
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const keys = Object.keys(value);
  const items = keys.map((key) => compileNode(value[key], `${field}/${key}`, problems));
  if (items.every((e) => e === undefined)) return undefined;
  const evaluators = items.map((e, i) => e ?? (() => value[keys[i]]));
  return (scope) =>
    settle(
      evaluators.map((e) => e(scope)),
      (results) => {
        const out: { [key: string]: JsonValue } = {};
        for (let i = 0; i < keys.length; i++) out[keys[i]] = results[i];
        return out;
      },
    );
}

function settle(values: Array<JsonValue | Promise<JsonValue>>, build: (results: JsonValue[]) => JsonValue): JsonValue | Promise<JsonValue> {
  if (values.some((v) => v instanceof Promise)) return Promise.all(values).then(build);
  return build(values as JsonValue[]);
}

/**
 * Compiles a value that may hold `{% %}` expressions anywhere inside it.
 * Constants evaluate synchronously to the value as written (shared: never
 * mutate it), and so do plain expressions (paths, arithmetic, comparisons);
 * the rest return a Promise. Throws
 * JsonataSyntaxError listing every malformed expression.
 */
export function compileJsonataValue(value: JsonValue, field: string): (scope: EvalScope) => JsonValue | Promise<JsonValue> {
  const problems: ExpressionProblem[] = [];
  const evaluator = compileNode(value, field, problems);
  if (problems.length) throw new JsonataSyntaxError(problems);
  return evaluator ?? (() => value);
}

/** Compile-time check of a value that may hold `{% %}` expressions. */
export function checkJsonata(value: JsonValue, field: string): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  compileNode(value, field, problems);
  return problems;
}
