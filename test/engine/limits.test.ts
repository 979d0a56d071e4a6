/**
 * Step Functions' quotas as an execution meets them: the 256 KiB payload
 * (a state's or a task's result over it) and the 25,000-event history.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES } from '../../src/asl/limits.js';
import type { JsonValue, StateMachineDefinition, WorkflowType } from '../../src/asl/types.js';
import type { HistoryEvent, TaskRunner } from '../../src/engine/index.js';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:labels';

async function run(definition: StateMachineDefinition, input: JsonValue, runner?: TaskRunner, type: WorkflowType = 'STANDARD', clock = virtualClock()) {
  const compiled = compile(definition);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const events: HistoryEvent[] = [];
  const result = await compiled.machine.start({
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:limits:run-1',
    name: 'run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:limits',
    stateMachineName: 'limits',
    roleArn: 'arn:aws:iam::123456789012:role/limits',
    type,
    input,
    clock,
    runner: runner ?? { run: () => Promise.reject(new TaskFailure('NoRunner', 'no task expected')) },
    onEvent: (event) => events.push(event),
  }).result;
  return { result, events };
}

/** A text of `bytes` UTF-8 bytes once inside a JSON object `{"text":"..."}`. */
const payloadOf = (bytes: number): { text: string } => ({ text: 'é'.repeat(Math.floor((bytes - 11) / 2)) + 'a'.repeat((bytes - 11) % 2) });

describe('the 256 KiB payload quota', () => {
  it('fails a state whose result is over it, with AWS cause and no exit event', async () => {
    const big = payloadOf(PAYLOAD_LIMIT_BYTES + 1);
    expect(Buffer.byteLength(JSON.stringify(big))).toBe(PAYLOAD_LIMIT_BYTES + 1);
    const { result, events } = await run({ StartAt: 'Label', States: { Label: { Type: 'Pass', Result: big, End: true } } }, {});
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: "The state/task 'Label' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
    expect(events.map((event) => event.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  it('lets a result of exactly 256 KiB through (multi-byte characters counted as UTF-8)', async () => {
    const exact = payloadOf(PAYLOAD_LIMIT_BYTES);
    const { result } = await run({ StartAt: 'Label', States: { Label: { Type: 'Pass', Result: exact, End: true } } }, {});
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: exact });
  });

  it("makes a task's oversized result the task's failure, which Catch handles", async () => {
    const runner: TaskRunner = { run: () => Promise.resolve(payloadOf(PAYLOAD_LIMIT_BYTES + 100)) };
    const definition: StateMachineDefinition = {
      StartAt: 'Print',
      States: {
        Print: { Type: 'Task', Resource: FUNCTION, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fallback' }], End: true },
        Fallback: { Type: 'Pass', End: true },
      },
    };
    const { result, events } = await run(definition, {}, runner);
    const cause = `The state/task '${FUNCTION}' returned a result with a size exceeding the maximum number of bytes service limit.`;
    expect(events.find((event) => event.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails).toEqual({ error: 'States.DataLimitExceeded', cause });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { Error: 'States.DataLimitExceeded', Cause: cause } });
  });
});

describe('the 25,000-event history quota', () => {
  /** Count → Again loops `times` times (4 events a turn), then Done: 4 × times + 4 events in all. */
  const loop = (times: number): StateMachineDefinition => ({
    StartAt: 'Count',
    States: {
      Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Again' },
      Again: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: times, Next: 'Count' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });

  it('lets an execution end when its 25,000th event is ExecutionSucceeded', async () => {
    const { result, events } = await run(loop((HISTORY_EVENT_LIMIT - 4) / 4), { n: 0 });
    expect(result.status).toBe('SUCCEEDED');
    expect(events).toHaveLength(HISTORY_EVENT_LIMIT);
    expect(events.at(-1)).toMatchObject({ id: HISTORY_EVENT_LIMIT, type: 'ExecutionSucceeded' });
  });

  it('fails it with ExecutionFailed as event 25,000 when anything else would be', async () => {
    const { result, events } = await run(loop((HISTORY_EVENT_LIMIT - 4) / 4 + 1), { n: 0 });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(result.cause).toContain('maximum number of events');
    expect(events).toHaveLength(HISTORY_EVENT_LIMIT);
    expect(events.at(-1)).toMatchObject({ id: HISTORY_EVENT_LIMIT, type: 'ExecutionFailed', previousEventId: HISTORY_EVENT_LIMIT - 1 });
  });

  it('does not bound an Express execution, whose quota is its duration (the same loop succeeds past 25,000 events)', async () => {
    // A clock that does not jump to the five-minute deadline whenever the loop yields: the loop takes no time.
    const { result, events } = await run(loop((HISTORY_EVENT_LIMIT - 4) / 4 + 1), { n: 0 }, undefined, 'EXPRESS', virtualClock({ autoAdvance: false }));
    expect(result.status).toBe('SUCCEEDED');
    expect(events).toHaveLength(HISTORY_EVENT_LIMIT + 4);
    expect(events.at(-1)).toMatchObject({ id: HISTORY_EVENT_LIMIT + 4, type: 'ExecutionSucceeded' });
  });
});

describe('JSONata results that are not JSON', () => {
  const output = (expression: string): StateMachineDefinition => ({ QueryLanguage: 'JSONata', StartAt: 'Shape', States: { Shape: { Type: 'Pass', Output: { r: `{% ${expression} %}` }, End: true } } });

  it('takes a function as JSON.stringify does (no value), so a function alone is an expression that returned nothing', async () => {
    const { result } = await run(output('function($x) { $x }'), {});
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
      cause: "An error occurred while executing the state 'Shape' (entered at the event id #2). The JSONata expression 'function($x) { $x }' specified for the field 'Output/r' returned nothing (undefined).",
    });
  });

  it('drops a function inside an object, writes null for one in an array and for a non-finite number', async () => {
    const { result } = await run(output('{"keep": 1, "fn": $sum, "list": [1, function($x) { $x }], "inf": 1/0}'), {});
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { r: { keep: 1, list: [1, null], inf: null } } });
  });

  it('never lets a JavaScript engine error into a cause', async () => {
    const { result } = await run(output('($deep := function($n) { $n = 0 ? [] : [$deep($n - 1)] }; $deep(20000))'), {});
    expect(result.cause ?? '').not.toMatch(/Maximum call stack|RangeError|TypeError|circular/);
  });
});

describe('the five-minute Express duration', () => {
  const waiting = (seconds: number, timeout?: number): StateMachineDefinition => ({
    ...(timeout === undefined ? {} : { TimeoutSeconds: timeout }),
    StartAt: 'Cool',
    States: { Cool: { Type: 'Wait', Seconds: seconds, End: true } },
  });
  const lasted = (events: HistoryEvent[]): number => (events.at(-1)!.timestamp as Date).getTime() - (events[0].timestamp as Date).getTime();

  it('times an Express execution out at 300 s, as a TimeoutSeconds would, where a Standard one carries on', async () => {
    const express = await run(waiting(400), {}, undefined, 'EXPRESS');
    expect(express.result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out after 300 seconds' });
    expect(express.events.at(-1)!.type).toBe('ExecutionTimedOut');
    expect(lasted(express.events)).toBe(300_000);
    expect((await run(waiting(400), {})).result.status).toBe('SUCCEEDED');
  });

  it('keeps a shorter TimeoutSeconds, and caps a longer one at 300 s', async () => {
    const short = await run(waiting(400, 30), {}, undefined, 'EXPRESS');
    expect(short.result).toMatchObject({ status: 'TIMED_OUT', cause: 'The execution timed out after 30 seconds' });
    const long = await run(waiting(400, 600), {}, undefined, 'EXPRESS');
    expect(long.result).toMatchObject({ status: 'TIMED_OUT', cause: 'The execution timed out after 300 seconds' });
    expect(lasted(long.events)).toBe(300_000);
    expect((await run(waiting(200), {}, undefined, 'EXPRESS')).result.status).toBe('SUCCEEDED');
  });

  it('on a virtual clock, never cuts short work that runs elsewhere: a handler answering after real time has passed', async () => {
    // `deliv test` runs handlers and JSONata workers for real beside a virtual clock that jumps whenever this thread is idle.
    const slowHandler: TaskRunner = { run: () => new Promise((resolve) => setTimeout(() => resolve({ labelled: true }), 30)) };
    const definition: StateMachineDefinition = { StartAt: 'Label', States: { Label: { Type: 'Task', Resource: FUNCTION, End: true } } };
    const { result } = await run(definition, {}, slowHandler, 'EXPRESS');
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { labelled: true } });
  });
});

describe("the five-minute Express duration of a Distributed Map's EXPRESS children", () => {
  /** Parcels cooled for `seconds` each in their own child execution; one failure tolerated. */
  const cooling = (type: 'EXPRESS' | 'STANDARD'): StateMachineDefinition => ({
    StartAt: 'CoolParcels',
    States: {
      CoolParcels: {
        Type: 'Map',
        ItemsPath: '$.parcels',
        ToleratedFailureCount: 1,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: type },
          StartAt: 'Cool',
          States: { Cool: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Cooled' }, Cooled: { Type: 'Pass', Parameters: { 'parcel.$': '$.id' }, End: true } },
        },
        End: true,
      },
    },
  });
  const parcels = { parcels: [{ id: 'a', seconds: 400 }, { id: 'b', seconds: 299 }] };

  it('times a child out at 300 s with States.Timeout, a failure the Map Run tolerates or not, where a Standard child carries on', async () => {
    const express = await run(cooling('EXPRESS'), parcels);
    expect(express.result).toMatchObject({
      status: 'SUCCEEDED',
      output: [{ Error: 'States.Timeout', Cause: 'The execution timed out after 300 seconds' }, { parcel: 'b' }],
    });
    // The execution itself is Standard: its own duration is not limited, its children's are.
    expect((await run(cooling('STANDARD'), parcels)).result).toMatchObject({ status: 'SUCCEEDED', output: [{ parcel: 'a' }, { parcel: 'b' }] });

    const strict = { ...cooling('EXPRESS') };
    (strict.States.CoolParcels as { ToleratedFailureCount?: number }).ToleratedFailureCount = 0;
    const failed = await run(strict, parcels);
    expect(failed.result).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('counts each child from its own start: a child started late by MaxConcurrency has its full five minutes', async () => {
    const definition = cooling('EXPRESS');
    (definition.States.CoolParcels as { MaxConcurrency?: number }).MaxConcurrency = 1;
    const { result } = await run(definition, { parcels: [{ id: 'a', seconds: 200 }, { id: 'b', seconds: 200 }] });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: [{ parcel: 'a' }, { parcel: 'b' }] });
  });
});
