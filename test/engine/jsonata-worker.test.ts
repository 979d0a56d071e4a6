/**
 * A JSONata expression that once took longer than JSONATA_LIMITS.workerAfterMs
 * is evaluated in a worker thread from then on (src/engine/jsonata-workers.ts).
 * Which thread evaluated it must never show: the same expressions give the same
 * outputs and the same errors, word for word, in both. And the worker's time
 * limit holds even for one step jsonata's own guardrail cannot interrupt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { StatesError } from '../../src/engine/errors.js';
import { compileJsonataValue, JSONATA_LIMITS } from '../../src/engine/jsonata.js';
import type { EvalScope } from '../../src/engine/scope.js';
import { longestTimerGap } from '../helpers/event-loop.js';

const usual = { ...JSONATA_LIMITS };
afterEach(() => Object.assign(JSONATA_LIMITS, usual));

type Outcome = { value: JsonValue } | { error: string; cause: string; location?: string };

/** Compiles `value` with every jsonata evaluation in this thread, or every one in a worker, and evaluates it. */
async function outcome(where: 'thread' | 'worker', value: JsonValue, scope: EvalScope): Promise<Outcome> {
  JSONATA_LIMITS.workerAfterMs = where === 'worker' ? 0 : 60_000;
  // In this thread for its whole time limit: no cut hands it to a worker.
  JSONATA_LIMITS.inThreadMs = where === 'worker' ? usual.inThreadMs : 0;
  const evaluate = compileJsonataValue(value, 'Output');
  JSONATA_LIMITS.workerAfterMs = usual.workerAfterMs;
  JSONATA_LIMITS.inThreadMs = usual.inThreadMs;
  try {
    // Through JSON text: an own "__proto__" key or a -0 that one path kept and the other not shows.
    return { value: JSON.parse(JSON.stringify(await evaluate(scope))) as JsonValue };
  } catch (error) {
    if (!(error instanceof StatesError)) throw error;
    return { error: error.error, cause: error.cause, location: error.location };
  }
}

function scope(input: JsonValue, variables: Record<string, JsonValue> = {}, extra: EvalScope['states'] = {}): EvalScope {
  const context = { Execution: { Name: 'exec-7', Input: input }, State: { Name: 'Price', RetryCount: 0 } };
  // The context is built when read, as the engine's StatesScope does.
  return { input, get context() { return context; }, variables, states: { input, ...extra } } as EvalScope;
}

const input = JSON.parse('{"order": "ORD-1", "lines": [{"sku": "a", "price": 2.5, "qty": 2}, {"sku": "b", "price": 1, "qty": 3}], "__proto__": {"polluted": true}, "text": "aaa!"}') as JsonValue;

const CASES: Array<[string, JsonValue, EvalScope]> = [
  ['an object built from $states.input, variables and the context', { total: '{% $sum($states.input.lines.(price * qty)) %}', who: '{% $customer.name %}', state: '{% $states.context.State.Name %}', run: '{% $states.context.Execution.Name %}' }, scope(input, { customer: { name: 'Ana' } })],
  ["$states' keys in order", '{% $keys($states) %}', scope(input)],
  ['$states.result and $states.errorOutput', '{% [$states.result.Payload, $states.errorOutput.Error] %}', scope(input, {}, { result: { Payload: 7 }, errorOutput: { Error: 'E', Cause: 'C' } })],
  ['a sequence, as an array', '{% $states.input.lines.sku %}', scope(input)],
  ['a one-item sequence, as the item', '{% $states.input.lines[sku = "b"].qty %}', scope(input)],
  ['functions, as JSON.stringify drops them', '{% {"f": function($x) { $x }, "list": [$sum, 1], "n": -0} %}', scope(input)],
  ['an own "__proto__" key of the input', '{% $states.input %}', scope(input)],
  ['sorting with a comparator and grouping', '{% $states.input.lines^(>price){sku: $sum(qty)} %}', scope(input)],
  ['regular expressions on the linear-time engine', '{% [$match($states.input.text, /a+/).match, $replace($states.input.text, /(a*)*!/, "x"), $contains($states.input.text, /^(a|aa)+$/)] %}', scope(input)],
  ["AWS's functions", '{% [$partition([1, 2, 3], 2), $range(0, 10, 5), $hash("deliv", "SHA-256"), $parse("{\\"a\\": [1]}"), $random(42)] %}', scope(input)],
  ['nothing (undefined)', '{% $states.input.missing %}', scope(input)],
  ['a type error', '{% $states.input.order + 1 %}', scope(input)],
  ["T0412 in AWS's words", '{% $sum(["a", "b"]) %}', scope(input)],
  ["an AWS function's own error", '{% $partition([1, 2], 0) %}', scope(input)],
  ['invalid JSON given to $parse', '{% $parse("{nope") %}', scope(input)],
  ['a number out of range', '{% $power(10, 400) %}', scope(input)],
  ['unbounded recursion (the depth limit)', '{% ($f := function($n) { $f($n + 1) + 1 }; $f(0)) %}', scope(input)],
  ['an error thrown with $error', '{% $error("no stock for " & $states.input.order) %}', scope(input)],
];

describe('a JSONata expression gives the same answer in a worker thread as in this one', () => {
  it.each(CASES)('%s', async (_name, value, s) => {
    const here = await outcome('thread', value, s);
    const there = await outcome('worker', value, s);
    expect(there).toEqual(here);
  });

  it('when an evaluation runs out of time: the same D1012 cause', async () => {
    JSONATA_LIMITS.timeoutMs = 150;
    const spin = '{% $sum($map([1..3000000], function($v) { $v * 2 })) %}';
    const here = await outcome('thread', spin, scope(input));
    const there = await outcome('worker', spin, scope(input));
    expect(here).toMatchObject({ error: 'States.QueryEvaluationError', location: 'Output' });
    expect((here as { cause: string }).cause).toContain('D1012: Evaluation timeout after 150 milliseconds');
    expect(there).toEqual(here);
  });

  it('is evaluated in the worker: the thread is free meanwhile', async () => {
    // A timer set now runs before the result arrives only if this thread did not do the work.
    let timerRan = false;
    const pending = outcome('worker', '{% $sum([1..3000000]) %}', scope(input));
    setTimeout(() => (timerRan = true), 0);
    const result = await pending;
    expect(result).toEqual({ value: 4500001500000 });
    expect(timerRan).toBe(true);
  });
});

describe("the worker's time limit", () => {
  it('stops even one long step, which jsonata cannot interrupt, at the limit, with the same cause', async () => {
    // $string of three million numbers is one step: jsonata's guardrail looks at the clock only between steps.
    JSONATA_LIMITS.timeoutMs = 200;
    await outcome('worker', '{% $sum([1, 2]) %}', scope(input)); // a warm worker: its start is not what is measured
    const started = performance.now();
    const stopped = await outcome('worker', '{% $length($string([1..3000000])) %}', scope(input));
    const took = performance.now() - started;
    expect(stopped).toEqual({
      error: 'States.QueryEvaluationError',
      cause: "The JSONata expression '$length($string([1..3000000]))' specified for the field 'Output' threw an error during evaluation. D1012: Evaluation timeout after 200 milliseconds. Check for infinite loop",
      location: 'Output',
    });
    expect(took).toBeLessThan(1_000);
    // The worker it terminated is replaced: the next evaluation answers.
    expect(await outcome('worker', '{% $sum([1, 2]) %}', scope(input))).toEqual({ value: 3 });
  });
});

describe('the first evaluation of a slow expression', () => {
  it('holds this thread only until the cut, then finishes in a worker with the same value', async () => {
    // Nothing has told this expression apart yet: it starts here, as every expression does.
    const evaluate = compileJsonataValue('{% $reduce([1..200000], function($a, $b) { $a + $b }) %}', 'Output');
    const { value, longestMs } = await longestTimerGap(async () => evaluate(scope(input)));
    expect(value).toBe(20000100000);
    // Run whole in this thread it holds it for 300-900 ms (and more on a loaded machine); cut at 50 ms it is the rest of the work's noise.
    expect(longestMs).toBeLessThan(300);
  });
});

describe('an expression that builds a range of millions', () => {
  it.each([
    ['literal bounds', '{% $length($string([1..3000000])) %}', {}],
    ['bounds from the input', '{% $length($string([1..$states.input.n])) %}', { n: 3_000_000 }],
  ])('(%s) is evaluated in a worker from the first time on: building it is one step no cut can interrupt', async (_name, expression, given) => {
    const evaluate = compileJsonataValue(expression, 'Output');
    const { value, longestMs } = await longestTimerGap(async () => evaluate(scope(given)));
    expect(value).toBe(22888897);
    // In this thread it is 1-2 s in one piece.
    expect(longestMs).toBeLessThan(300);
  });
});
