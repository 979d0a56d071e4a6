import { describe, expect, it } from 'vitest';
import { testState, TestStateRequestError } from '../../src/engine/test-state.js';
import type { TaskRequest } from '../../src/engine/types.js';

const json = (value: unknown): string => JSON.stringify(value);

describe('TestState on the engine', () => {
  it('shows each step of a Pass state’s data flow at DEBUG, and where it goes next (ResultPath places the result in the raw input)', async () => {
    const result = await testState({
      definition: json({ Type: 'Pass', InputPath: '$.order', Parameters: { 'total.$': 'States.MathAdd($.price, 2)' }, ResultPath: '$.priced', Next: 'Charge' }),
      input: json({ order: { price: 40 } }),
      inspectionLevel: 'DEBUG',
    });
    expect(result).toEqual({
      status: 'SUCCEEDED',
      output: json({ order: { price: 40 }, priced: { total: 42 } }),
      nextState: 'Charge',
      inspectionData: {
        input: json({ order: { price: 40 } }),
        afterInputPath: json({ price: 40 }),
        afterParameters: json({ total: 42 }),
        result: json({ total: 42 }),
        afterResultSelector: json({ total: 42 }),
        afterResultPath: json({ order: { price: 40 }, priced: { total: 42 } }),
      },
    });
  });

  it('gives only the output at INFO', async () => {
    const result = await testState({ definition: json({ Type: 'Pass', Result: { ok: true }, End: true }) });
    expect(result).toEqual({ status: 'SUCCEEDED', output: json({ ok: true }) });
  });

  it('answers a Task from the mock and applies ResultSelector and ResultPath to it', async () => {
    const result = await testState({
      definition: json({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge', 'Payload.$': '$' }, ResultSelector: { 'id.$': '$.Payload.chargeId' }, ResultPath: '$.charge', End: true }),
      input: json({ amount: 10 }),
      mock: { result: json({ Payload: { chargeId: 'ch_1' }, StatusCode: 200 }) },
      inspectionLevel: 'TRACE',
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe(json({ amount: 10, charge: { id: 'ch_1' } }));
    expect(result.inspectionData?.afterParameters).toBe(json({ FunctionName: 'charge', Payload: { amount: 10 } }));
    expect(result.inspectionData?.result).toBe(json({ Payload: { chargeId: 'ch_1' }, StatusCode: 200 }));
    expect(result.inspectionData?.afterResultSelector).toBe(json({ id: 'ch_1' }));
  });

  const flaky = {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Retry: [
      { ErrorEquals: ['Courier.Busy'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 2 },
      { ErrorEquals: ['States.ALL'], MaxAttempts: 0 },
    ],
    Catch: [
      { ErrorEquals: ['Card.Declined'], Next: 'Declined' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'GiveUp' },
    ],
    Next: 'Done',
  };

  it('reports a retry it would make as RETRIABLE, with the backoff after the retries already made', async () => {
    const result = await testState({
      definition: json(flaky),
      mock: { errorOutput: { error: 'Courier.Busy', cause: 'try later' } },
      stateConfiguration: { retrierRetryCount: 1 },
    });
    expect(result).toEqual({ status: 'RETRIABLE', error: 'Courier.Busy', cause: 'try later', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 6 } } });
  });

  it('caps the reported backoff at MaxDelaySeconds, as the engine waits when it retries', async () => {
    const capped = { ...flaky, Retry: [{ ErrorEquals: ['Courier.Busy'], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 5, MaxDelaySeconds: 10 }] };
    const result = await testState({ definition: json(capped), mock: { errorOutput: { error: 'Courier.Busy' } }, stateConfiguration: { retrierRetryCount: 3 } });
    expect(result.inspectionData?.errorDetails).toEqual({ retryIndex: 0, retryBackoffIntervalSeconds: 10 });
  });

  it('refuses a Retry the engine would refuse (BackoffRate under 1) as InvalidDefinition, though TestState does not perform the retry', async () => {
    const bad = { ...flaky, Retry: [{ ErrorEquals: ['Courier.Busy'], BackoffRate: 0.5 }] };
    const run = testState({ definition: json(bad), mock: { errorOutput: { error: 'Courier.Busy' } } });
    await expect(run).rejects.toBeInstanceOf(TestStateRequestError);
    await expect(run).rejects.toMatchObject({ code: 'InvalidDefinition', message: expect.stringContaining('Retry[0].BackoffRate') });
  });

  it('hands an error whose retries are spent to the catcher, as CAUGHT_ERROR with the catcher’s Next', async () => {
    const result = await testState({
      definition: json(flaky),
      input: json({ order: 7 }),
      mock: { errorOutput: { error: 'Courier.Busy', cause: 'still busy' } },
      stateConfiguration: { retrierRetryCount: 2 },
    });
    expect(result).toEqual({
      status: 'CAUGHT_ERROR',
      error: 'Courier.Busy',
      cause: 'still busy',
      output: json({ order: 7, failure: { Error: 'Courier.Busy', Cause: 'still busy' } }),
      nextState: 'GiveUp',
      inspectionData: { errorDetails: { catchIndex: 1 } },
    });
  });

  it('fails when neither a retrier nor a catcher takes the error', async () => {
    const result = await testState({
      definition: json({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Retry: [{ ErrorEquals: ['Other'] }], End: true }),
      mock: { errorOutput: { error: 'SQS.QueueDoesNotExist', cause: 'no queue' } },
    });
    expect(result).toEqual({ status: 'FAILED', error: 'SQS.QueueDoesNotExist', cause: 'no queue' });
  });

  it('says which branch of a Choice is taken, Default included', async () => {
    const choice = json({ Type: 'Choice', Choices: [{ Variable: '$.weight', NumericGreaterThan: 30, Next: 'Freight' }], Default: 'Parcel' });
    expect((await testState({ definition: choice, input: json({ weight: 50 }) })).nextState).toBe('Freight');
    expect((await testState({ definition: choice, input: json({ weight: 5 }) })).nextState).toBe('Parcel');
  });

  it('does not really wait in a Wait state', async () => {
    const started = Date.now();
    const result = await testState({ definition: json({ Type: 'Wait', Seconds: 3600, Next: 'After' }), input: json({ a: 1 }) });
    expect(result).toEqual({ status: 'SUCCEEDED', output: json({ a: 1 }), nextState: 'After' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports a Fail state’s error and cause', async () => {
    const result = await testState({ definition: json({ Type: 'Fail', ErrorPath: '$.code', CausePath: '$.why' }), input: json({ code: 'Order.Invalid', why: 'no items' }) });
    expect(result).toEqual({ status: 'FAILED', error: 'Order.Invalid', cause: 'no items' });
  });

  it('needs a mock for a Map, then shapes the mocked result as the Map would', async () => {
    const map = { Type: 'Map', ItemsPath: '$.parcels', ItemProcessor: { StartAt: 'Ship', States: { Ship: { Type: 'Pass', End: true } } }, ResultPath: '$.shipped', ToleratedFailureCount: 1, End: true };
    await expect(testState({ definition: json(map) })).rejects.toMatchObject({ code: 'ValidationException' });
    const result = await testState({ definition: json(map), input: json({ parcels: [1, 2] }), mock: { result: json(['a', 'b']) }, inspectionLevel: 'DEBUG' });
    expect(result.output).toBe(json({ parcels: [1, 2], shipped: ['a', 'b'] }));
    expect(result.inspectionData?.toleratedFailureCount).toBe(1);
    const tooMany = await testState({ definition: json(map), mock: { result: '[]' }, stateConfiguration: { mapIterationFailureCount: 2 } });
    expect(tooMany.status).toBe('FAILED');
    expect(tooMany.error).toBe('States.ExceedToleratedFailureThreshold');
  });

  it("shows a mocked Map's items at DEBUG as AWS names them: afterItemsPath, afterItemSelector, afterItemBatcher (no afterParameters)", async () => {
    const map = {
      Type: 'Map',
      InputPath: '$.order',
      ItemsPath: '$.parcels',
      ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'n.$': '$$.Map.Item.Index', 'order.$': '$.id' },
      ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'order.$': '$.id' } },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Ship', States: { Ship: { Type: 'Pass', End: true } } },
      End: true,
    };
    const result = await testState({ definition: json(map), input: json({ order: { id: 'o-7', parcels: ['a', 'b', 'c'] } }), mock: { result: '[]' }, inspectionLevel: 'DEBUG' });
    const selected = [
      { parcel: 'a', n: 0, order: 'o-7' },
      { parcel: 'b', n: 1, order: 'o-7' },
      { parcel: 'c', n: 2, order: 'o-7' },
    ];
    expect(result.inspectionData).toMatchObject({
      afterInputPath: json({ id: 'o-7', parcels: ['a', 'b', 'c'] }),
      afterItemsPath: json(['a', 'b', 'c']),
      afterItemSelector: json(selected),
      afterItemBatcher: json([{ BatchInput: { order: 'o-7' }, Items: selected.slice(0, 2) }, { BatchInput: { order: 'o-7' }, Items: selected.slice(2) }]),
    });
    expect(result.inspectionData).not.toHaveProperty('afterParameters');
  });

  it("takes a Distributed Map's items from stateConfiguration.mapItemReaderData, as its ItemReader would read them", async () => {
    const map = {
      Type: 'Map',
      ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSON' }, Parameters: { Bucket: 'parcels', Key: 'today.json' } },
      ItemSelector: { 'zone.$': '$$.Map.Item.Value.zone' },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Ship', States: { Ship: { Type: 'Pass', End: true } } },
      End: true,
    };
    const result = await testState({ definition: json(map), mock: { result: '[]' }, stateConfiguration: { mapItemReaderData: json([{ zone: 'n' }, { zone: 's' }]) }, inspectionLevel: 'DEBUG' });
    expect(result.inspectionData?.afterItemSelector).toBe(json([{ zone: 'n' }, { zone: 's' }]));
  });

  it('runs a JSONata Task with variables in scope and shows what it assigns', async () => {
    const result = await testState({
      definition: json({ Type: 'Task', QueryLanguage: 'JSONata', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { Payload: '{% {"order": $orderId} %}' }, Assign: { courier: '{% $states.result.Payload.courier %}' }, Output: '{% $states.result.Payload %}', End: true }),
      variables: json({ orderId: 'o-1' }),
      mock: { result: json({ Payload: { courier: 'ana' } }) },
      inspectionLevel: 'DEBUG',
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe(json({ courier: 'ana' }));
    expect(result.inspectionData?.afterArguments).toBe(json({ Payload: { order: 'o-1' } }));
    expect(JSON.parse(result.inspectionData?.variables ?? '{}')).toEqual({ orderId: 'o-1', courier: 'ana' });
  });

  it('tests one state of a whole machine by stateName, with the machine’s query language and a given context', async () => {
    const machine = { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Output: '{% $states.context.Execution.Name %}', End: true } } };
    const result = await testState({ definition: json(machine), stateName: 'B', context: json({ Execution: { Name: 'order-42' } }) });
    expect(result).toEqual({ status: 'SUCCEEDED', output: json('order-42') });
    await expect(testState({ definition: json(machine), stateName: 'C' })).rejects.toThrow(/'C' is not a top-level state/);
  });

  it('runs an unmocked Task through the host’s runner', async () => {
    const seen: TaskRequest[] = [];
    const result = await testState(
      { definition: json({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:quote', End: true }), input: json({ km: 3 }) },
      { runner: { run: async (request) => (seen.push(request), { price: 9 }) } },
    );
    expect(result).toEqual({ status: 'SUCCEEDED', output: json({ price: 9 }) });
    expect(seen[0]?.parameters).toEqual({ km: 3 });
  });

  it('refuses what AWS refuses, with AWS’s error codes', async () => {
    const refused = async (request: Parameters<typeof testState>[0]) => testState(request).then(() => 'accepted', (error: TestStateRequestError) => error.code);
    expect(await refused({ definition: '{not json' })).toBe('InvalidDefinition');
    expect(await refused({ definition: json({ Type: 'Pass', End: true }), input: '{' })).toBe('InvalidExecutionInput');
    expect(await refused({ definition: json({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true }) })).toBe('ValidationException');
    expect(await refused({ definition: json({ Type: 'Pass', End: true }), mock: { result: '{}' } })).toBe('ValidationException');
  });

  it('refuses a key written twice as CreateStateMachine does, a state name in a lone state’s branch too', async () => {
    // JSON.parse would keep the second Pack, and the state run would not be the one written.
    const machine = '{"StartAt":"Pack","States":{"Pack":{"Type":"Pass","Next":"Ship"},"Ship":{"Type":"Succeed"},"Pack":{"Type":"Pass","End":true}}}';
    await expect(testState({ definition: machine, stateName: 'Ship' })).rejects.toMatchObject({ code: 'InvalidDefinition', message: expect.stringMatching(/^DUPLICATE_STATE_NAME: state name Pack is used twice.* at \/States\/Pack$/) });
    const split = '{"Type":"Parallel","Branches":[{"StartAt":"Scan","States":{"Scan":{"Type":"Succeed"},"Scan":{"Type":"Succeed"}}}],"End":true}';
    await expect(testState({ definition: split, mock: { result: '[]' } })).rejects.toMatchObject({ code: 'InvalidDefinition', message: expect.stringMatching(/^DUPLICATE_STATE_NAME: .* at \/Branches\/0\/States\/Scan$/) });
    await expect(testState({ definition: '{"Type":"Pass","Result":1,"Result":2,"End":true}' })).rejects.toMatchObject({ code: 'InvalidDefinition', message: expect.stringMatching(/^INVALID_JSON_DESCRIPTION: key Result appears twice.* at \/Result$/) });
  });
});
