/**
 * The CloudWatch Logs line of `deliv cost`: what a machine's executions
 * write (measured from histories or estimated from the definition's path),
 * and the bill worked out by hand from the fixture's TEST prices (vended-log
 * ingestion $0.10 / $0.05 / $0.02 / $0.01 per GB in tiers at 10, 30 and
 * 50 GB; storage $0.02 per GB-month; not AWS's prices), written as arithmetic.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { Decimal } from '../../src/cost/decimal.js';
import { estimate, type EstimateInput, type MachineSpec } from '../../src/cost/estimate.js';
import { loadSnapshot } from '../../src/cost/prices/index.js';
import { parsePriceList, ratesFromPriceList } from '../../src/cost/prices/parse.js';
import type { PriceSource } from '../../src/cost/prices/types.js';
import { estimatedLogVolume, measuredLogVolume, payloadText, type LogSettings, type LogVolume } from '../../src/cost/usage/logs.js';
import { modelMachine, type UsageHints } from '../../src/cost/usage/model.js';
import { awsFixture } from '../helpers/corpus.js';

const D = (value: string | number) => Decimal.of(value);
const MiB = 2 ** 20;
const cloudWatch = ratesFromPriceList('AmazonCloudWatch', 'us-east-1', parsePriceList(awsFixture<{ PriceList: string[] }>('pricing-getproducts-cloudwatch-test.json').PriceList));

const passOnly = { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } } as unknown as StateMachineDefinition;

function logging(name: string, executions: number, volume: Partial<LogVolume>, settings: Partial<LogSettings> = {}): MachineSpec {
  const model = modelMachine({ definition: passOnly });
  return {
    name,
    declaredType: 'EXPRESS',
    model,
    executionsPerMonth: executions,
    expressMemoryMB: 64,
    expressDurationMs: 0,
    logs: { settings: { level: 'ALL', includeExecutionData: true, ...settings }, volume: { bytes: 0, storedBytes: 0, events: 1, source: 'estimated', ...volume } },
  };
}

function input(machines: MachineSpec[], overrides: Partial<EstimateInput> = {}): EstimateInput {
  return {
    machines,
    functionSpec: () => ({ memoryMB: 128, durationMs: 100, architecture: 'x86_64' }),
    tokenSpec: () => ({ inputTokens: 0, outputTokens: 0 }),
    prices: { region: 'us-east-1', rates: { ...loadSnapshot().regions['us-east-1'].AmazonStates, ...cloudWatch }, sources: [] },
    freeTier: true,
    type: 'declared',
    ...overrides,
  };
}

/** The Step Functions part of the bill: Express requests at $1 per million, 100 ms at 64 MB at $0.00001667 per GB-s (the snapshot's us-east-1 rates). */
const expressBill = (executions: number) => D(executions).mul('0.000001').add(D(executions).mul('0.0625').mul('0.1').mul('0.00001667'));

const logItems = (result: ReturnType<typeof estimate>) => result.scenarios[0].items.filter((item) => item.service === 'CloudWatch Logs');

describe('the CloudWatch Logs bill: vended-log tiers, storage, and the account\'s 5 GB', () => {
  it('runs ingestion through every tier after the free 5 GB, and storage after it', () => {
    // 40,960 executions × 1 MiB = 40 GB ingested; 5 GB free, 35 GB billed: 10 at $0.10, 20 at $0.05, 5 at $0.02.
    const result = estimate(input([logging('router', 40_960, { bytes: MiB, storedBytes: MiB / 4 })]));
    const [ingestion, storage] = logItems(result);
    expect(ingestion.item).toBe('Ingestion (vended logs) · router');
    expect(ingestion.usage.toString()).toBe('40');
    expect(ingestion.freeTier.toString()).toBe('5');
    const ingested = D(10).mul('0.10').add(D(20).mul('0.05')).add(D(5).mul('0.02'));
    expect(ingestion.cost!.toString()).toBe(ingested.toString());
    expect(ingestion.unitPrices).toEqual(['0.1000000000', '0.0500000000', '0.0200000000']);
    // Stored: 40,960 × 256 KiB compressed = 10 GB; a group that never expires holds half of it in its first month: 5 GB-months, none of the free 5 GB left.
    expect(storage.usage.toString()).toBe('5');
    expect(storage.freeTier.toString()).toBe('0');
    expect(storage.cost!.toString()).toBe(D(5).mul('0.02').toString());
    expect(result.scenarios[0].total.toString()).toBe(expressBill(40_960).add(ingested).add(D(5).mul('0.02')).toString());
    expect(ingested.add(D(5).mul('0.02')).toString()).toBe('2.2');
  });

  it('shares the 5 GB and the tiers between machines: the account pays once', () => {
    // a: 3,072 × 1 MiB = 3 GB, all free; b: 4 GB, of which the 2 GB left are free and 2 GB billed at $0.10.
    const result = estimate(input([logging('a', 3_072, { bytes: MiB }), logging('b', 4_096, { bytes: MiB })]));
    const [a, , b] = logItems(result);
    expect([a.freeTier.toString(), a.cost!.toString()]).toEqual(['3', '0']);
    expect([b.freeTier.toString(), b.cost!.toString()]).toEqual(['2', D(2).mul('0.10').toString()]);
  });

  it('lets storage use what ingestion left of the 5 GB, and bills it all without the free tier', () => {
    // 1,024 × 1 MiB = 1 GB ingested, 1,024 × 256 KiB = 0.25 GB stored, half a month: 0.125 GB-months; 1.125 GB in all, under 5 GB.
    const free = logItems(estimate(input([logging('small', 1_024, { bytes: MiB, storedBytes: MiB / 4 })])));
    expect(free.map((item) => item.cost!.toString())).toEqual(['0', '0']);
    expect(free[1].freeTier.toString()).toBe('0.125');
    const paid = logItems(estimate(input([logging('small', 1_024, { bytes: MiB, storedBytes: MiB / 4 })], { freeTier: false })));
    expect(paid.map((item) => item.cost!.toString())).toEqual([D(1).mul('0.10').toString(), D('0.125').mul('0.02').toString()]);
  });

  it('holds retentionInDays of events once the log group is full', () => {
    // 365 days = 365 × 24 / 730 = 12 months of a month's 10 GB stored: 120 GB-months at $0.02.
    const [, storage] = logItems(estimate(input([logging('kept', 40_960, { bytes: 0, storedBytes: MiB / 4 }, { retentionInDays: 365 })], { freeTier: false })));
    expect(storage.usage.toString()).toBe('120');
    expect(storage.cost!.toString()).toBe(D(120).mul('0.02').toString());
  });

  it('is not in the Standard vs Express comparison: logging costs the same either way', () => {
    const result = estimate(input([logging('router', 40_960, { bytes: MiB })]));
    expect(result.comparisons[0].express!.toString()).toBe(expressBill(40_960).toString());
  });

  it('offline, with no CloudWatch rows in the snapshot, is a line marked not priced that says what to do; the rest stands', () => {
    const sources: PriceSource[] = [{ service: 'AmazonCloudWatch', region: 'us-east-1', kind: 'snapshot', description: 'snapshot', date: '2026-11-25', fallbackReason: 'offline' }];
    const result = estimate(input([logging('router', 40_960, { bytes: MiB })], { prices: { region: 'us-east-1', rates: loadSnapshot().regions['us-east-1'].AmazonStates!, sources } }));
    const lines = logItems(result);
    expect(lines.map((item) => item.cost)).toEqual([null, null]);
    expect(lines[0].usage.toString()).toBe('40');
    expect(lines[0].notPriced).toMatch(/^no price for CloudWatch Logs in us-east-1 \(prices from AmazonCloudWatch: snapshot\): the bundled snapshot holds no AmazonCloudWatch rows .*run without --offline, with AWS credentials.*node scripts\/update-price-snapshot\.mjs/);
    expect(result.scenarios[0].total.toString()).toBe(expressBill(40_960).toString());
  });
});

describe('what an execution writes, estimated from the definition', () => {
  const definition = {
    StartAt: 'Charge',
    States: {
      Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'charge' }, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }], Next: 'Done' },
      Done: { Type: 'Pass', End: true },
    },
  } as unknown as StateMachineDefinition;
  const model = (hints?: UsageHints) => modelMachine({ definition, hints });
  const volume = (hints: UsageHints | undefined, payloadKB: number, settings: LogSettings) =>
    estimatedLogVolume({ events: model(hints).events, machine: 'pay', type: 'EXPRESS', region: 'us-east-1', payload: payloadText(payloadKB, []).text, stateName: 'Charge' }, settings);
  const failing: UsageHints = { failureRates: { Charge: 0.1 } };

  it('counts the events Step Functions emits per state type, with the failure rates', () => {
    // 10% of attempts fail, 2 retries: 1 + 0.1 + 0.01 = 1.11 attempts, 0.999 succeed, 0.111 fail; 0.001 of executions fail uncaught.
    const events = model(failing).events;
    const expected: Record<string, number> = {
      ExecutionStarted: 1,
      TaskStateEntered: 1,
      TaskScheduled: 1.11,
      TaskStarted: 1.11,
      TaskSucceeded: 0.999,
      TaskFailed: 0.111,
      TaskStateExited: 0.999,
      PassStateEntered: 0.999,
      PassStateExited: 0.999,
      ExecutionSucceeded: 0.999,
      ExecutionFailed: 0.001,
    };
    expect(Object.keys(events).sort()).toEqual(Object.keys(expected).sort());
    for (const [type, count] of Object.entries(expected)) expect(events[type], type).toBeCloseTo(count, 9);
  });

  it('counts the Submitted event of a .sync job, and the iterations of an inline Map', () => {
    const sync = modelMachine({ definition: { StartAt: 'Job', States: { Job: { Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun.sync', Parameters: { JobName: 'j' }, End: true } } } as unknown as StateMachineDefinition });
    expect(sync.events.TaskSubmitted).toBe(1);
    const map = modelMachine({
      definition: { StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'One', States: { One: { Type: 'Pass', End: true } } }, End: true } } } as unknown as StateMachineDefinition,
      hints: { mapItems: { Each: 3 } },
    });
    // Map: Entered, Started, 3 × (IterationStarted, Pass Entered/Exited, IterationSucceeded), Succeeded, Exited; and the execution's start and end.
    expect(map.events).toEqual({
      ExecutionStarted: 1,
      MapStateEntered: 1,
      MapStateStarted: 1,
      MapIterationStarted: 3,
      PassStateEntered: 3,
      PassStateExited: 3,
      MapIterationSucceeded: 3,
      MapStateSucceeded: 1,
      MapStateExited: 1,
      ExecutionSucceeded: 1,
    });
  });

  it('with execution data, grows by the payload in every event that carries one; without, not at all', () => {
    const all = (includeExecutionData: boolean): LogSettings => ({ level: 'ALL', includeExecutionData });
    // Payload-carrying events: ExecutionStarted 1, TaskStateEntered 1, TaskScheduled 1.11, TaskSucceeded 0.999, TaskStateExited 0.999,
    // PassStateEntered 0.999, PassStateExited 0.999, ExecutionSucceeded 0.999 = 8.104 per execution; 1 KB more payload is 1,024 bytes more in each.
    const grown = volume(failing, 2, all(true)).bytes - volume(failing, 1, all(true)).bytes;
    expect(grown).toBeCloseTo(1024 * (1 + 1 + 1.11 + 0.999 * 5), 6);
    expect(volume(failing, 2, all(false)).bytes).toBeCloseTo(volume(failing, 1, all(false)).bytes, 9);
    expect(volume(failing, 1, all(true)).bytes - volume(failing, 1, all(false)).bytes).toBeGreaterThan(1024 * 8);
    expect(volume(failing, 1, all(true)).events).toBeCloseTo(1 + 1 + 1.11 * 2 + 0.999 * 5 + 0.111 + 0.001, 9);
  });

  it('at level ERROR logs only the failure events: none without failure rates', () => {
    const error: LogSettings = { level: 'ERROR', includeExecutionData: true };
    expect(volume(undefined, 1, error)).toMatchObject({ bytes: 0, events: 0 });
    // TaskFailed 0.111 + ExecutionFailed 0.001 per execution, and a failure carries no payload.
    const failures = volume(failing, 1, error);
    expect(failures.events).toBeCloseTo(0.112, 9);
    expect(volume(failing, 4, error).bytes).toBeCloseTo(failures.bytes, 9);
    expect(volume(failing, 1, { level: 'FATAL', includeExecutionData: true }).events).toBeCloseTo(0.001, 9);
  });
});

describe('what an execution wrote, measured from its history', () => {
  const arn = 'arn:aws:states:us-east-1:123456789012:express:pay:run-1:00000000-0000-0000-0000-000000000001';
  const at = new Date(1_767_225_600_000);
  const history = [
    { id: 1, previousEventId: 0, timestamp: at, type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"a":1}', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/r' } },
    { id: 2, previousEventId: 1, timestamp: at, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'P', input: '{"a":1}', inputDetails: { truncated: false } } },
    { id: 3, previousEventId: 2, timestamp: at, type: 'PassStateExited', stateExitedEventDetails: { name: 'P', output: '{"a":1}', outputDetails: { truncated: false } } },
    { id: 4, previousEventId: 3, timestamp: at, type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{"a":1}', outputDetails: { truncated: false } } },
  ] as unknown as HistoryEvent[];
  const tail = `"event_timestamp":"1767225600000","execution_arn":"${arn}","redrive_count":"0"}`;
  // The log events as Step Functions writes them (src/aws/execution-logs.ts documents the format), each counted with 26 bytes of overhead.
  const withData = [
    `{"id":"1","type":"ExecutionStarted","details":{"input":"{\\"a\\":1}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"},"previous_event_id":"0",${tail}`,
    `{"id":"2","type":"PassStateEntered","details":{"name":"P","input":"{\\"a\\":1}","inputDetails":{"truncated":false}},"previous_event_id":"1",${tail}`,
    `{"id":"3","type":"PassStateExited","details":{"name":"P","output":"{\\"a\\":1}","outputDetails":{"truncated":false}},"previous_event_id":"2",${tail}`,
    `{"id":"4","type":"ExecutionSucceeded","details":{"output":"{\\"a\\":1}","outputDetails":{"truncated":false}},"previous_event_id":"3",${tail}`,
  ];
  const withoutData = withData.map((message) => message.replace(/"(input|output)":"\{\\"a\\":1\}",/, ''));
  const bytes = (messages: string[]) => messages.reduce((total, message) => total + Buffer.byteLength(message) + 26, 0);

  it('weighs the logged events, with and without execution data', () => {
    expect(measuredLogVolume([{ executionArn: arn, events: history }], { level: 'ALL', includeExecutionData: true })).toMatchObject({ bytes: bytes(withData), events: 4, source: 'measured' });
    expect(measuredLogVolume([{ executionArn: arn, events: history }], { level: 'ALL', includeExecutionData: false })).toMatchObject({ bytes: bytes(withoutData), events: 4 });
    // Two "input":"{\"a\":1}", members of 20 bytes (with the comma) and two "output" ones of 21.
    expect(bytes(withData) - bytes(withoutData)).toBe(2 * 20 + 2 * 21);
  });

  it('at level ERROR, a run that did not fail writes nothing', () => {
    expect(measuredLogVolume([{ executionArn: arn, events: history }], { level: 'ERROR', includeExecutionData: true })).toMatchObject({ bytes: 0, events: 0 });
  });
});
