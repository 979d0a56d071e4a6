import { describe, expect, it } from 'vitest';
import type { JsonValue, StateMachineDefinition } from '../../src/asl/types.js';
import type { ExecutionOptions, HistoryEvent, TaskRequest, TaskRunner } from '../../src/engine/index.js';
import { compile, TASK_TOKEN_PATTERN, taskTokenFor, TaskFailure, virtualClock } from '../../src/engine/index.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:orders:run-1';

function options(input: JsonValue, extra: Partial<ExecutionOptions> = {}): ExecutionOptions {
  return {
    executionArn: ARN,
    name: 'run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders',
    stateMachineName: 'orders',
    roleArn: 'arn:aws:iam::123456789012:role/orders',
    input,
    clock: virtualClock(),
    runner: { run: () => Promise.reject(new TaskFailure('NoRunner', 'no task expected')) },
    ...extra,
  };
}

async function run(definition: StateMachineDefinition, input: JsonValue = {}, extra: Partial<ExecutionOptions> = {}) {
  const compiled = compile(definition);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const events: HistoryEvent[] = [];
  const result = await compiled.machine.start(options(input, { onEvent: (event) => events.push(event), ...extra })).result;
  return { result, events, types: events.map((event) => event.type) };
}

const lambda = (name: string): string => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** A runner serving in-process handlers by function name, recording every request. */
function handlers(map: Record<string, (request: TaskRequest) => Promise<JsonValue> | JsonValue>): TaskRunner & { requests: TaskRequest[] } {
  const requests: TaskRequest[] = [];
  return {
    requests,
    async run(request) {
      requests.push(request);
      const name = request.baseResource.split(':').pop() as string;
      const handler = map[name] ?? map[(request.parameters as { FunctionName?: string })?.FunctionName ?? ''];
      if (!handler) throw new TaskFailure('NotMapped', name);
      return handler(request);
    },
  };
}

describe('Pass, Succeed and Fail', () => {
  it('applies InputPath, Parameters, ResultPath and OutputPath in order and records entered/exited events', async () => {
    const { result, events, types } = await run(
      {
        StartAt: 'Normalize',
        States: {
          Normalize: { Type: 'Pass', InputPath: '$.order', Parameters: { 'id.$': '$.id', service: 'NEXT_DAY' }, ResultPath: '$.normalized', OutputPath: '$.normalized', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      },
      { order: { id: 'o-1' } },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { id: 'o-1', service: 'NEXT_DAY' } });
    expect(types).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
    // As AWS records it: the first state's entry points at event 0, not at ExecutionStarted.
    expect(events.map((event) => [event.id, event.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2], [4, 3], [5, 4], [6, 5]]);
    expect(events[1].stateEnteredEventDetails).toEqual({ name: 'Normalize', input: '{"order":{"id":"o-1"}}', inputDetails: { truncated: false } });
    expect(events[0].timestamp).toBeInstanceOf(Date);
    expect(result.eventCount).toBe(6);
  });

  it('fails with the Fail state error and cause, also through ErrorPath/CausePath', async () => {
    const { result, types } = await run({ StartAt: 'Stop', States: { Stop: { Type: 'Fail', ErrorPath: '$.code', CausePath: "States.Format('parcel {} lost', $.id)" } } }, { code: 'Lost', id: 7 });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Lost', cause: 'parcel 7 lost' });
    expect(types).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('turns a missing InputPath into States.Runtime with AWS wording', async () => {
    const { result } = await run({ StartAt: 'P', States: { P: { Type: 'Pass', InputPath: '$.missing', End: true } } });
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe("An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']");
  });
});

describe('Choice', () => {
  const definition: StateMachineDefinition = {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [
          { And: [{ Variable: '$.kg', NumericGreaterThan: 20 }, { Variable: '$.express', BooleanEquals: true }], Next: 'Freight' },
          { Variable: '$.kg', NumericLessThanEquals: 20, Next: 'Parcel' },
        ],
      },
      Freight: { Type: 'Pass', Result: 'freight', End: true },
      Parcel: { Type: 'Pass', Result: 'parcel', End: true },
    },
  };

  it('takes the first matching rule', async () => {
    expect((await run(definition, { kg: 30, express: true })).result.output).toBe('freight');
    expect((await run(definition, { kg: 3 })).result.output).toBe('parcel');
  });

  it('fails with States.NoChoiceMatched when nothing matches and there is no Default', async () => {
    const { result } = await run(definition, { kg: 30, express: false });
    expect(result.error).toBe('States.NoChoiceMatched');
  });

  it('evaluates JSONata conditions and rule-level Assign/Output', async () => {
    const { result } = await run({
      QueryLanguage: 'JSONata',
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.kg > 20 %}', Assign: { lane: 'heavy' }, Output: { kg: '{% $states.input.kg %}' }, Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Pass', Output: '{% {"lane": $lane, "kg": $states.input.kg} %}', End: true },
      },
    }, { kg: 25 });
    expect(result.output).toEqual({ lane: 'heavy', kg: 25 });
  });
});

describe('Wait', () => {
  it('waits on the injected clock, however long', async () => {
    const clock = virtualClock({ start: Date.UTC(2026, 0, 1) });
    const { result, events } = await run(
      { StartAt: 'Hold', States: { Hold: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Until' }, Until: { Type: 'Wait', Timestamp: '2026-01-02T00:00:00Z', End: true } } },
      { seconds: 3600 },
      { clock },
    );
    expect(result.status).toBe('SUCCEEDED');
    const exited = events.find((event) => event.type === 'WaitStateExited') as HistoryEvent;
    expect((exited.timestamp as Date).getTime() - Date.UTC(2026, 0, 1)).toBe(3_600_000);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 2));
  });

  it('rejects a negative SecondsPath as AWS does', async () => {
    const { result } = await run({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }, { s: -1 });
    expect(result.cause).toBe("An error occurred while executing the state 'W' (entered at the event id #2). The SecondsPath parameter references a negative value: $.s == -1");
  });
});

describe('Task', () => {
  it('calls the runner with the effective parameters and context, then applies ResultSelector and ResultPath', async () => {
    const runner = handlers({ quote: (request) => ({ Payload: { price: 7.45, carrier: (request.parameters as { carrier: string }).carrier } }) });
    const served = await run(
      {
        StartAt: 'Quote',
        States: {
          Quote: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'quote', 'carrier.$': '$.carrier', 'state.$': '$$.State.Name' },
            ResultSelector: { 'price.$': '$.Payload.price' },
            ResultPath: '$.quote',
            TimeoutSeconds: 30,
            End: true,
          },
        },
      },
      { carrier: 'dhl' },
      { runner },
    );
    expect(served.result).toMatchObject({ status: 'SUCCEEDED', output: { carrier: 'dhl', quote: { price: 7.45 } } });
    expect(runner.requests[0]).toMatchObject({ pattern: 'request-response', parameters: { FunctionName: 'quote', carrier: 'dhl', state: 'Quote' }, attempt: 0, timeoutSeconds: 30, executionArn: ARN });
    expect(served.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(served.events[2].taskScheduledEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      parameters: '{"FunctionName":"quote","carrier":"dhl","state":"Quote"}',
      timeoutInSeconds: 30,
    });
  });

  it('uses LambdaFunction… events for a bare function ARN', async () => {
    const { types } = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda('ok'), End: true } } }, {}, { runner: handlers({ ok: () => 1 }) });
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  it('fails the task when the runner throws instead of answering, as a rejection would', async () => {
    const runner: TaskRunner = {
      run: () => {
        throw new TaskFailure('Refused', 'thrown at once');
      },
    };
    const { result, types } = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda('refuse'), End: true } } }, {}, { runner });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'thrown at once' });
    expect(types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed']);
  });

  it('retries with backoff on the clock, then catches into ResultPath', async () => {
    let calls = 0;
    const runner = handlers({
      flaky: () => {
        calls += 1;
        throw new TaskFailure('CarrierTimeout', `attempt ${calls}`);
      },
    });
    const clock = virtualClock({ start: 0 });
    const { result, types } = await run(
      {
        StartAt: 'Book',
        States: {
          Book: {
            Type: 'Task',
            Resource: lambda('flaky'),
            Retry: [{ ErrorEquals: ['CarrierTimeout'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 3 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Fallback' }],
            End: true,
          },
          Fallback: { Type: 'Pass', End: true },
        },
      },
      { id: 1 },
      { runner, clock },
    );
    expect(calls).toBe(3);
    expect(runner.requests.map((request) => request.attempt)).toEqual([0, 1, 2]);
    expect(clock.now()).toBe(2000 + 6000);
    expect(result.output).toEqual({ id: 1, error: { Error: 'CarrierTimeout', Cause: 'attempt 3' } });
    expect(types.filter((type) => type === 'LambdaFunctionFailed')).toHaveLength(3);
  });

  it('does not retry with MaxAttempts 0 and never retries States.Runtime through States.ALL', async () => {
    let calls = 0;
    const { result } = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda('fail'), Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], End: true } } },
      {},
      { runner: handlers({ fail: () => { calls += 1; throw new TaskFailure('Boom', 'x'); } }) },
    );
    expect([calls, result.error]).toEqual([1, 'Boom']);
    const runtime = await run({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: lambda('ok'), Parameters: { 'x.$': '$.missing' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'C' }], End: true }, C: { Type: 'Pass', End: true } },
    }, {}, { runner: handlers({ ok: () => 1 }) });
    expect(runtime.result.error).toBe('States.Runtime');
  });

  it('times out with States.Timeout and aborts the runner', async () => {
    let aborted = false;
    const runner: TaskRunner = {
      run: (request) =>
        new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    };
    const { result, types } = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 5, End: true } } }, {}, { runner });
    expect(result.error).toBe('States.Timeout');
    expect(aborted).toBe(true);
    expect(types).toContain('TaskTimedOut');
  });

  it('fails with States.HeartbeatTimeout when heartbeats stop, and not while they come', async () => {
    const clock = virtualClock({ autoAdvance: false, start: 0 });
    const runner: TaskRunner = {
      run: (request) =>
        new Promise((resolve) => {
          request.heartbeat();
          setTimeout(() => {
            clock.advance(9_000);
            request.heartbeat();
            clock.advance(9_000);
            resolve('done');
          }, 0);
        }),
    };
    const ok = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', HeartbeatSeconds: 10, End: true } } }, {}, { runner, clock });
    expect(ok.result.output).toBe('done');
    const silent = await run({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', HeartbeatSeconds: 10, End: true } } }, {}, { runner: { run: () => new Promise(() => {}) } });
    expect(silent.result.error).toBe('States.HeartbeatTimeout');
  });

  it('hands a task token to .waitForTaskToken tasks through $$.Task.Token', async () => {
    const runner = handlers({ invoke: (request) => ({ token: request.taskToken as string, passed: (request.parameters as { Payload: { token: string } }).Payload.token }) });
    const { result } = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } }, End: true } } },
      {},
      { runner },
    );
    const output = result.output as { token: string; passed: string };
    expect(output.token).toMatch(TASK_TOKEN_PATTERN);
    expect(output.passed).toBe(output.token);
    // Nothing about the task can be read out of the token.
    expect(Buffer.from(output.token, 'base64url').toString('latin1')).not.toContain(ARN);
    expect(runner.requests[0].pattern).toBe('waitForTaskToken');
  });

  it('starts every task token with AQ, so a token pasted after `deliv task success` is never read as a flag', () => {
    // One base64url digest in 64 starts with '-'; scan enough attempts to meet several.
    const key = Buffer.alloc(32, 7);
    const tokens = Array.from({ length: 512 }, (_, attempt) => taskTokenFor(key, ARN, 2, attempt));
    expect(tokens.some((token) => token.slice('AQ'.length).startsWith('-'))).toBe(true);
    for (const token of tokens) expect(token).toMatch(/^AQ/);
  });

  it('derives task tokens from a secret key: stable for a resumed task, unguessable without the key', () => {
    const key = Buffer.alloc(32, 7);
    const token = taskTokenFor(key, ARN, 2, 0);
    expect(taskTokenFor(key, ARN, 2, 0)).toBe(token);
    expect(Buffer.from(token.slice('AQ'.length), 'base64url')).toHaveLength(32);
    for (const other of [taskTokenFor(key, ARN, 2, 1), taskTokenFor(key, ARN, 3, 0), taskTokenFor(Buffer.alloc(32, 8), ARN, 2, 0)]) expect(other).not.toBe(token);
  });

  it('runs JSONata Arguments and Output with $states.result', async () => {
    const runner = handlers({ price: (request) => ({ amount: (request.parameters as { kg: number }).kg * 2 }) });
    const { result } = await run(
      { QueryLanguage: 'JSONata', StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda('price'), Arguments: { kg: '{% $states.input.kg %}' }, Output: '{% $states.result.amount %}', End: true } } },
      { kg: 4 },
      { runner },
    );
    expect(result.output).toBe(8);
  });

  it('builds $states.context for the expressions that read it, whether the fast path or the jsonata package evaluates them', async () => {
    const runner = handlers({ price: () => ({ amount: 1 }) });
    const { result } = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Quote',
        States: {
          Quote: {
            Type: 'Task',
            Resource: lambda('price'),
            Output: {
              state: '{% $states.context.State.Name %}',
              upper: '{% $uppercase($states.context.Execution.Name) %}',
              keys: '{% $keys($states) %}',
              retries: '{% $states.context.State.RetryCount %}',
            },
            End: true,
          },
        },
      },
      {},
      { runner },
    );
    expect(result.output).toEqual({ state: 'Quote', upper: options({}).name.toUpperCase(), keys: ['input', 'context', 'result'], retries: 0 });
  });
});

describe('variables', () => {
  it('assigns in both languages; inner scopes read outer variables but their assignments stay inside', async () => {
    const { result, events } = await run({
      StartAt: 'Set',
      States: {
        Set: { Type: 'Pass', Assign: { depot: 'LDS', 'count.$': '$.n' }, Next: 'Fan' },
        Fan: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { depot: 'MAN', local: 1 }, Parameters: { 'seen.$': '$depot' }, End: true } } }],
          ResultPath: '$.branches',
          Next: 'Read',
        },
        Read: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% {"depot": $depot, "count": $count, "branches": $states.input.branches} %}', End: true },
      },
    }, { n: 3 });
    expect(result.output).toEqual({ depot: 'LDS', count: 3, branches: [{ seen: 'LDS' }] });
    const setExit = events.find((event) => event.type === 'PassStateExited') as HistoryEvent;
    expect(setExit.stateExitedEventDetails?.assignedVariables).toEqual({ depot: '"LDS"', count: '3' });
  });
});

describe('Parallel', () => {
  it('collects branch outputs in order and records the parallel events', async () => {
    const { result, types } = await run({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 1, Next: 'B2' }, B2: { Type: 'Pass', Result: 'b', End: true } } },
          ],
          End: true,
        },
      },
    });
    expect(result.output).toEqual(['a', 'b']);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
  });

  it('fails with the failing branch error and stops the other branches', async () => {
    let finished = false;
    const { result, types } = await run(
      {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: lambda('slow'), End: true } } },
              { StartAt: 'Bad', States: { Bad: { Type: 'Fail', Error: 'Broken', Cause: 'branch 2' } } },
            ],
            End: true,
          },
        },
      },
      {},
      { runner: handlers({ slow: (request) => new Promise((resolve) => request.signal.addEventListener('abort', () => resolve((finished = true)))) }) },
    );
    expect(result).toMatchObject({ status: 'FAILED', error: 'Broken', cause: 'branch 2' });
    expect(types).toContain('ParallelStateFailed');
    expect(finished).toBe(true);
  });
});

describe('Map', () => {
  it('runs inline iterations with ItemSelector, $$.Map.Item and MaxConcurrency', async () => {
    let active = 0;
    let peak = 0;
    const runner = handlers({
      label: async (request) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 1));
        active -= 1;
        return request.parameters;
      },
    });
    const { result, types } = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemsPath: '$.parcels',
            MaxConcurrency: 2,
            ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'depot.$': '$.depot' },
            ItemProcessor: { StartAt: 'Label', States: { Label: { Type: 'Task', Resource: lambda('label'), End: true } } },
            End: true,
          },
        },
      },
      { depot: 'LDS', parcels: ['p1', 'p2', 'p3', 'p4'] },
      { runner },
    );
    expect(result.output).toEqual(['p1', 'p2', 'p3', 'p4'].map((parcel, index) => ({ parcel, index, depot: 'LDS' })));
    expect(peak).toBe(2);
    expect(types.filter((type) => type === 'MapIterationSucceeded')).toHaveLength(4);
  });

  it('aborts the iterations still running when one fails', async () => {
    const { result, types } = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Route',
              States: {
                Route: { Type: 'Choice', Choices: [{ Variable: '$', NumericEquals: 0, Next: 'Slow' }], Default: 'Bad' },
                Slow: { Type: 'Wait', Seconds: 60, End: true },
                Bad: { Type: 'Fail', Error: 'Damaged' },
              },
            },
            End: true,
          },
        },
      },
      [0, 1],
    );
    expect(result.error).toBe('Damaged');
    expect(types.filter((type) => type?.startsWith('MapIteration') || type?.startsWith('MapState'))).toEqual([
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationFailed',
      'MapIterationAborted',
      'MapStateFailed',
    ]);
  });

  it('tolerates failures up to ToleratedFailureCount, then fails with States.ExceedToleratedFailureThreshold', async () => {
    const definition = (tolerated: number): StateMachineDefinition => ({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ToleratedFailureCount: tolerated,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Check',
            States: { Check: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 1, Next: 'Bad' }], Default: 'Good' }, Bad: { Type: 'Fail', Error: 'TooBig' }, Good: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    });
    expect((await run(definition(2), [1, 2, 3])).result.output).toEqual([1, { Error: 'TooBig' }, { Error: 'TooBig' }]);
    const exceeded = await run(definition(1), [1, 2, 3]);
    expect(exceeded.result.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(exceeded.types).toContain('MapRunStarted');
  });

  it('reads items through the runner and batches them (distributed ItemReader + ItemBatcher)', async () => {
    const runner: TaskRunner = { run: async () => null, readItems: async (request) => (request.parameters as { Key: string }).Key === 'parcels.json' ? [1, 2, 3, 4, 5] : [] };
    const { result } = await run(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'b', Key: 'parcels.json' } },
            ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { depot: 'LDS' } },
            ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
            End: true,
          },
        },
      },
      {},
      { runner },
    );
    expect(result.output).toEqual([
      { BatchInput: { depot: 'LDS' }, Items: [1, 2] },
      { BatchInput: { depot: 'LDS' }, Items: [3, 4] },
      { BatchInput: { depot: 'LDS' }, Items: [5] },
    ]);
  });

  it('takes JSONata Items and reports a non-array as AWS does', async () => {
    const ok = await run({ QueryLanguage: 'JSONata', StartAt: 'M', States: { M: { Type: 'Map', Items: '{% $states.input.list %}', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input * 2 %}', End: true } } }, End: true } } }, { list: [1, 2] });
    expect(ok.result.output).toEqual([2, 4]);
    const bad = await run({ QueryLanguage: 'JSONata', StartAt: 'M', States: { M: { Type: 'Map', Items: '{% $states.input.flag %}', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } }, { flag: true });
    expect(bad.result.error).toBe('States.QueryEvaluationError');
  });
});

describe('execution control', () => {
  it('stops a running execution as ABORTED and aborts its task', async () => {
    let signal: AbortSignal | undefined;
    const compiled = compile({ StartAt: 'T', States: { T: { Type: 'Task', Resource: lambda('hang'), End: true } } });
    if (!compiled.ok) throw new Error('compile');
    const events: HistoryEvent[] = [];
    const handle = compiled.machine.start(options({}, { onEvent: (e) => events.push(e), runner: { run: (request) => ((signal = request.signal), new Promise(() => {})) } }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    handle.stop('Operator', 'cancelled by test');
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'cancelled by test' });
    expect(signal?.aborted).toBe(true);
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
  });

  it('keeps going when the host event listener throws', async () => {
    const compiled = compile({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    if (!compiled.ok) throw new Error('compile');
    const result = await compiled.machine.start(options({ a: 1 }, { onEvent: () => { throw new Error('listener bug'); } })).result;
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { a: 1 }, eventCount: 4 });
  });

  it('times the whole execution out with the machine TimeoutSeconds', async () => {
    const { result, types } = await run({ TimeoutSeconds: 10, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } });
    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(types.at(-1)).toBe('ExecutionTimedOut');
  });

  it('reports every definition problem at compile time instead of throwing', () => {
    const compiled = compile({
      StartAt: 'Missing',
      States: {
        A: { Type: 'Pass', Next: 'Nowhere' },
        B: { Type: 'Teleport' } as never,
        C: { Type: 'Task', Resource: lambda('x'), End: true, Retry: [{ ErrorEquals: [] }] },
        D: { Type: 'Pass', InputPath: '$..[bad', End: true },
      },
    });
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    const where = compiled.problems.map((problem) => `${problem.path}|${problem.field ?? ''}`);
    expect(where).toEqual(expect.arrayContaining(['|StartAt', 'States.A|Next', 'States.B|Type', 'States.C|Retry[0].ErrorEquals', 'States.D|InputPath']));
    expect(compile('{ not json').ok).toBe(false);
  });
});

describe('resume from a history prefix', () => {
  const definition: StateMachineDefinition = {
    StartAt: 'Charge',
    States: {
      Charge: { Type: 'Task', Resource: lambda('charge'), ResultPath: '$.payment', Next: 'Pause' },
      Pause: { Type: 'Wait', Seconds: 30, Next: 'Fan' },
      Fan: {
        Type: 'Map',
        ItemsPath: '$.parcels',
        ItemProcessor: { StartAt: 'Book', States: { Book: { Type: 'Task', Resource: lambda('book'), End: true } } },
        ResultPath: '$.bookings',
        Next: 'Stamp',
      },
      Stamp: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, ResultPath: '$.stamp', End: true },
    },
  };
  const counting = () => {
    const calls: string[] = [];
    const runner = handlers({
      charge: () => (calls.push('charge'), { paid: true }),
      book: (request) => (calls.push(`book ${JSON.stringify(request.parameters)}`), { booked: request.parameters }),
    });
    return { calls, runner };
  };

  /** Resumes from every prefix of one full run and checks that each ends with the same history and runs only the tasks the prefix had not completed. */
  async function resumeEveryPrefix(parcels: string[]): Promise<void> {
    const first = counting();
    const full = await run(definition, { parcels }, { runner: first.runner });
    expect(full.result.status).toBe('SUCCEEDED');
    expect(first.calls).toEqual(['charge', ...parcels.map((parcel) => `book "${parcel}"`)]);
    const shape = (events: HistoryEvent[]) => events.map((event) => [event.id, event.previousEventId, event.type]);
    const withoutStamp = (output: unknown) => ({ ...(output as object), stamp: undefined });

    for (let cut = 1; cut <= full.events.length; cut += 1) {
      const prefix = full.events.slice(0, cut);
      const again = counting();
      const compiled = compile(definition);
      if (!compiled.ok) throw new Error('compile');
      const appended: HistoryEvent[] = [];
      const result = await compiled.machine.start(options({ parcels }, { runner: again.runner, resumeFrom: prefix, onEvent: (event) => appended.push(event) })).result;
      // Values made by the prefix (the UUID stamp included) come back as recorded; later ones are made anew.
      const stamped = prefix.some((event) => event.type === 'PassStateExited');
      expect(stamped ? result.output : withoutStamp(result.output), `cut at ${cut}`).toEqual(stamped ? full.result.output : withoutStamp(full.result.output));
      expect(result.eventCount).toBe(full.events.length);
      expect(shape([...prefix, ...appended])).toEqual(shape(full.events));
      const completed = new Set(prefix.filter((event) => event.type === 'LambdaFunctionSucceeded').map((event) => event.previousEventId));
      expect(again.calls.length, `cut at ${cut}`).toBe(1 + parcels.length - completed.size);
    }
  }

  it('replays every prefix without re-running completed tasks and ends with the same history', async () => {
    await resumeEveryPrefix(['a', 'b']);
  });

  it('tells apart the iterations of a Map started together, which all follow the same event', async () => {
    // Tasks answer asynchronously, so all 20 iterations start before any ends: 20 MapIterationStarted after one event.
    const parcels = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const first = await run(definition, { parcels }, { runner: counting().runner });
    const started = first.events.filter((event) => event.type === 'MapIterationStarted');
    expect(new Set(started.map((event) => event.previousEventId)).size).toBe(1);
    await resumeEveryPrefix(parcels);
  });

  it('runs again a task that was scheduled but not completed before the crash', async () => {
    const first = counting();
    const full = await run(definition, { parcels: [] }, { runner: first.runner });
    const scheduledAt = full.events.findIndex((event) => event.type === 'LambdaFunctionStarted');
    const again = counting();
    const compiled = compile(definition);
    if (!compiled.ok) throw new Error('compile');
    const result = await compiled.machine.start(options({ parcels: [] }, { runner: again.runner, resumeFrom: full.events.slice(0, scheduledAt + 1) })).result;
    expect(again.calls).toEqual(['charge']);
    expect(result.status).toBe('SUCCEEDED');
  });
});

describe('history timestamps', () => {
  /** A clock one millisecond later at every reading, so each reading shows in the history. */
  function tickingClock(): ExecutionOptions['clock'] & { reads: number } {
    const base = virtualClock();
    const clock = {
      reads: 0,
      now: () => base.now() + clock.reads++,
      sleep: (ms: number, signal?: AbortSignal) => base.sleep(ms, signal),
    };
    return clock;
  }
  const stamps = (events: HistoryEvent[]) => events.map((event) => `${event.type}@${(event.timestamp as Date).getTime() - (events[0].timestamp as Date).getTime()}`);

  it('gives the events of one synchronous step one reading of the clock, and reads it again after the task answers', async () => {
    const clock = tickingClock();
    const runner = handlers({ charge: async (request) => ({ ...(request.parameters as object), charged: true }) });
    const { events } = await run(
      {
        StartAt: 'Label',
        States: {
          Label: { Type: 'Pass', Next: 'Charge' },
          Charge: { Type: 'Task', Resource: lambda('charge'), Next: 'Route' },
          Route: { Type: 'Choice', Choices: [{ Variable: '$.charged', BooleanEquals: true, Next: 'Done' }] },
          Done: { Type: 'Succeed' },
        },
      },
      { orderId: 'o-1' },
      { clock, runner },
    );
    expect(stamps(events)).toEqual([
      'ExecutionStarted@0',
      'PassStateEntered@1',
      'PassStateExited@1',
      'TaskStateEntered@2',
      'LambdaFunctionScheduled@2',
      'LambdaFunctionStarted@2',
      'LambdaFunctionSucceeded@3',
      'TaskStateExited@3',
      'ChoiceStateEntered@4',
      'ChoiceStateExited@4',
      'SucceedStateEntered@5',
      'SucceedStateExited@5',
      'ExecutionSucceeded@6',
    ]);
  });

  it('shares readings the same way in a JSONata task: its entry with the scheduling, the answer with its exit', async () => {
    const clock = tickingClock();
    const runner = handlers({ quote: async () => ({ price: 12 }) });
    const { events } = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Quote',
        States: {
          Quote: { Type: 'Task', Resource: lambda('quote'), Arguments: '{% $states.input %}', Output: '{% $states.result.price %}', End: true },
        },
      },
      {},
      { clock, runner },
    );
    expect(stamps(events)).toEqual([
      'ExecutionStarted@0',
      'TaskStateEntered@1',
      'LambdaFunctionScheduled@1',
      'LambdaFunctionStarted@1',
      'LambdaFunctionSucceeded@2',
      'TaskStateExited@2',
      'ExecutionSucceeded@3',
    ]);
  });
});
