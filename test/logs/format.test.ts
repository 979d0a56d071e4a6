import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { compactData, describeEvents, eventJson, executionOutcome, formatDuration, formatHistory } from '../../src/logs/format.js';
import { stripAnsi } from '../../src/ui/colors.js';
import { terminalSafe } from '../../src/ui/output.js';
import { visibleWidth } from '../../src/ui/width.js';
import { awsFixture } from '../helpers/corpus.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 12, 0, seconds));

/** A Lambda task that succeeds after its state was entered, the way AWS links events by previousEventId. */
const succeeded: HistoryEvent[] = [
  { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"orderId":"o-1"}' } },
  { id: 2, previousEventId: 1, timestamp: at(1), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Charge', input: '{"orderId":"o-1"}' } },
  { id: 3, previousEventId: 2, timestamp: at(1), type: 'TaskScheduled', taskScheduledEventDetails: { resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{"FunctionName":"charge"}' } },
  { id: 4, previousEventId: 3, timestamp: at(2), type: 'TaskStarted', taskStartedEventDetails: { resource: 'invoke', resourceType: 'lambda' } },
  { id: 5, previousEventId: 4, timestamp: at(3), type: 'TaskSucceeded', taskSucceededEventDetails: { resource: 'invoke', resourceType: 'lambda', output: '{"paid":true}' } },
  { id: 6, previousEventId: 5, timestamp: at(4), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Charge', output: '{"paid":true}' } },
  { id: 7, previousEventId: 6, timestamp: at(5), type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{"paid":true}' } },
];

describe('describeEvents', () => {
  it('gives task events the state they belong to and exits the state duration', () => {
    const views = describeEvents(succeeded);
    expect(views.map((view) => view.state)).toEqual([undefined, 'Charge', 'Charge', 'Charge', 'Charge', 'Charge', undefined]);
    expect(views[5].durationMs).toBe(3000);
    expect(views[6].durationMs).toBe(5000);
    expect(views[6].terminal).toBe(true);
    expect(views[4]).toMatchObject({ dataKind: 'output', data: '{"paid":true}', tone: 'success' });
  });

  it('names Map iterations by state and index', () => {
    const views = describeEvents([
      { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
      { id: 2, previousEventId: 1, timestamp: at(0), type: 'MapStateEntered', stateEnteredEventDetails: { name: 'Ship', input: '[1,2]' } },
      { id: 3, previousEventId: 2, timestamp: at(0), type: 'MapStateStarted', mapStateStartedEventDetails: { length: 2 } },
      { id: 4, previousEventId: 3, timestamp: at(1), type: 'MapIterationStarted', mapIterationStartedEventDetails: { name: 'Ship', index: 1 } },
    ]);
    expect(views.map((view) => view.state)).toEqual([undefined, 'Ship', 'Ship', 'Ship[1]']);
  });
});

describe('formatHistory', () => {
  it('prints one line per event with time, state, type, duration and trimmed data', () => {
    const lines = formatHistory(succeeded, { utc: true }).map(stripAnsi);
    expect(lines).toHaveLength(7);
    expect(lines[5]).toMatch(/^12:00:04\.000 {2}Charge +TaskStateExited +3s {2}output \{"paid":true\}$/);
    expect(lines[6]).toMatch(/ExecutionSucceeded +5s/);
  });

  it('formats only the events from `from` on, still knowing the earlier ones', () => {
    const lines = formatHistory(succeeded, { utc: true, from: 5 }).map(stripAnsi);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('Charge');
    expect(lines[0]).toContain('3s');
  });

  it('trims long data unless asked for all of it', () => {
    const input = JSON.stringify({ items: Array.from({ length: 50 }, (_, index) => ({ sku: `sku-${index}` })) });
    const events: HistoryEvent[] = [{ id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input } }];
    expect(stripAnsi(formatHistory(events, { dataWidth: 40 })[0])).toMatch(/input \{"items":\[\{"sku":"sku-0"\},\{"sku":"sku-1…$/);
    expect(stripAnsi(formatHistory(events, { data: true })[0])).toContain('"sku-49"');
  });

  it('wraps the explain hint before the ARN on a terminal too narrow for it, keeping the ARN whole', () => {
    const raw = awsFixture<{ events: HistoryEvent[] }>('sfn-get-execution-history-failed.json');
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:dispatch-parcels-to-couriers:7f3c2a91-5b1e-4a0e-9f7d-2f6c1d0b8e44';
    const lines = formatHistory(raw.events, { executionArn: arn, columns: 80 }).map(stripAnsi);
    expect(lines.slice(-2)).toEqual(['hint: deliv explain', arn]);
  });

  it('shows a failed AWS history with the error, the cause and the explain hint', () => {
    const raw = awsFixture<{ events: HistoryEvent[] }>('sfn-get-execution-history-failed.json');
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:dispatch:7f3c2a91';
    const lines = formatHistory(raw.events, { executionArn: arn }).map(stripAnsi);
    const failed = lines.find((line) => line.includes('ExecutionFailed'))!;
    expect(failed).toContain('AddressValidationError');
    expect(failed).toContain("Postcode 'SW1A 9ZZ'");
    expect(lines.at(-1)).toBe(`hint: deliv explain ${arn}`);
    const taskFailed = lines.filter((line) => line.includes('TaskFailed'));
    expect(taskFailed[0]).toMatch(/QuoteCarrier +TaskFailed/);
    const outcome = executionOutcome(raw.events);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'AddressValidationError', failedState: 'BookShipment' });
  });
});

describe('executionOutcome', () => {
  it('is RUNNING until a terminal event arrives', () => {
    expect(executionOutcome(succeeded.slice(0, 3)).status).toBe('RUNNING');
    expect(executionOutcome(succeeded)).toEqual({ status: 'SUCCEEDED', durationMs: 5000, output: '{"paid":true}' });
  });

  it('names the Fail state an execution ended in, with its error (start --wait --json reads this)', () => {
    const failed: HistoryEvent[] = [
      succeeded[0],
      { id: 2, previousEventId: 1, timestamp: at(1), type: 'FailStateEntered', stateEnteredEventDetails: { name: 'OutOfStock', input: '{}' } },
      { id: 3, previousEventId: 2, timestamp: at(2), type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Shop.OutOfStock', cause: 'no sku-1' } },
    ];
    expect(executionOutcome(failed)).toEqual({ status: 'FAILED', durationMs: 2000, error: 'Shop.OutOfStock', cause: 'no sku-1', failedState: 'OutOfStock' });
  });
});

describe('small formatting helpers', () => {
  it('writes durations the short way', () => {
    expect([formatDuration(850), formatDuration(1234), formatDuration(12_500), formatDuration(123_000), formatDuration(7_380_000)]).toEqual(['850ms', '1.234s', '12.5s', '2m03s', '2h03m']);
  });

  it('compacts JSON and leaves other text readable', () => {
    expect(compactData('{\n  "a": 1\n}', 80, false)).toBe('{"a":1}');
    expect(compactData('not json\nat all', 80, false)).toBe('not json at all');
  });

  it('prints JSON lines in the AWS event shape with the execution ARN', () => {
    const line = JSON.parse(eventJson(succeeded[1], 'arn:x'));
    expect(line).toEqual({ executionArn: 'arn:x', id: 2, previousEventId: 1, timestamp: '2026-01-05T12:00:01.000Z', type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Charge', input: '{"orderId":"o-1"}' } });
  });
});

describe('columns sized to the history', () => {
  /** Where `word` starts on screen in `line`, once the line went through the output layer. */
  const columnOf = (line: string, word: string) => {
    const shown = terminalSafe(line, { colour: false });
    return visibleWidth(shown.slice(0, shown.indexOf(word)));
  };
  const named = (names: string[]): HistoryEvent[] => [
    { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
    ...names.map((name, index): HistoryEvent => ({ id: index + 2, previousEventId: index + 1, timestamp: at(1), type: 'PassStateEntered', stateEnteredEventDetails: { name, input: '{}' } })),
    { id: names.length + 2, previousEventId: names.length + 1, timestamp: at(2), type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } },
  ];

  it('keeps the type column in place when a state name carries escape sequences or wide characters', () => {
    const lines = formatHistory(named(['Charge', 'Charge\u001b]0;pwned\u0007', '配送 Charge']), { utc: true });
    expect(new Set(lines.slice(1, 4).map((line) => columnOf(line, 'PassStateEntered'))).size).toBe(1);
  });

  it('gives the state column the width of the longest name in the history', () => {
    const lines = formatHistory(named(['Pay', 'ReserveStock']), { utc: true }).map(stripAnsi);
    // time (12), two spaces, `ReserveStock` (12), two spaces.
    expect(columnOf(lines[1], 'PassStateEntered')).toBe(12 + 2 + 12 + 2);
    expect(lines[2]).toMatch(/^12:00:01\.000 {2}ReserveStock {2}PassStateEntered/);
  });

  it('writes a duration at the end of the type column, as wide as the longest type with its duration', () => {
    const lines = formatHistory(succeeded, { utc: true }).map(stripAnsi);
    // `ExecutionSucceeded  5s` (22) is the widest: every data column starts after it.
    expect(lines[5]).toMatch(/^12:00:04\.000 {2}Charge {2}TaskStateExited {5}3s {2}output /);
    expect(lines[6]).toMatch(/^12:00:05\.000 {10}ExecutionSucceeded {2}5s {2}output /);
    expect(new Set(lines.filter((line) => /put /.test(line)).map((line) => line.indexOf('put ') - (line.includes('output') ? 3 : 2))).size).toBe(1);
  });

  it('keeps the columns of a history it follows in place as events arrive', () => {
    const options = { utc: true, columns: 100, stateNames: ['Charge', 'NotifyTheCustomer'] };
    // The first lines come before the execution's end (and before a state as long as NotifyTheCustomer).
    const lines = [...formatHistory(succeeded.slice(0, 3), options), ...formatHistory(succeeded, { ...options, from: 3 })].map(stripAnsi);
    const dataColumns = lines.filter((line) => /(input|output|parameters) /.test(line)).map((line) => line.search(/(input|output|parameters) /));
    expect(dataColumns).toHaveLength(6);
    expect(new Set(dataColumns).size).toBe(1);
    expect(lines[1]).toMatch(/Charge {13}TaskStateEntered/);
  });

  it('shows the date only when the history spans more than one day', () => {
    const later: HistoryEvent = { ...succeeded[6], timestamp: new Date(Date.UTC(2026, 0, 6, 9, 30, 0)) };
    const lines = formatHistory([...succeeded.slice(0, 6), later], { utc: true }).map(stripAnsi);
    expect(lines[0]).toMatch(/^01-05 12:00:00\.000 /);
    expect(lines[6]).toMatch(/^01-06 09:30:00\.000 /);
    expect(stripAnsi(formatHistory(succeeded, { utc: true })[0])).toMatch(/^12:00:00\.000 /);
  });
});

describe('lines fitted to a terminal (columns)', () => {
  const input = JSON.stringify({ parcels: Array.from({ length: 40 }, (_, index) => ({ id: `p-${index}`, postcode: `7${index}00` })) });
  const events: HistoryEvent[] = [
    { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input } },
    { id: 2, previousEventId: 1, timestamp: at(1), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'ChooseTheNearestCourierForEveryParcel', input } },
    { id: 3, previousEventId: 2, timestamp: at(2), type: 'TaskFailed', taskFailedEventDetails: { resource: 'invoke', resourceType: 'lambda', error: 'Courier.Unavailable', cause: `no courier: ${'x'.repeat(300)}` } },
  ];

  it.each([40, 60, 80, 100, 120])('never passes %i columns', (columns) => {
    for (const line of formatHistory(events, { columns, utc: true })) expect(visibleWidth(line)).toBeLessThanOrEqual(columns);
  });

  it.each([100, 120])('cuts the data at %i columns with an ellipsis, and a long state name to its column', (columns) => {
    const lines = formatHistory(events, { columns, utc: true }).map(stripAnsi);
    expect(lines[0]).toMatch(/ExecutionStarted +input \{"parcels":\[\{"id":"p.*…$/);
    expect(lines[1]).toMatch(/ChooseTheNearestCouri… {2}TaskStateEntered +input \{"parcels".*…$/);
    expect(lines[2]).toMatch(/TaskFailed +Courier\.Unavailable: no co.*…$/);
    for (const line of lines) expect(visibleWidth(line)).toBe(columns);
  });

  it('gives the data the whole width the line has left', () => {
    const narrow = stripAnsi(formatHistory(events, { columns: 100, utc: true })[0]);
    const wide = stripAnsi(formatHistory(events, { columns: 200, utc: true })[0]);
    expect(wide.length - narrow.length).toBe(100);
  });

  it('shows everything with data, whatever the width', () => {
    const lines = formatHistory(events, { columns: 60, data: true, utc: true });
    expect(lines[0]).toContain('"p-39"');
    expect(lines[1]).toContain('ChooseTheNearestCourierForEveryParcel');
    expect(lines[2]).toContain('x'.repeat(300));
  });

  it('counts wide characters as two columns when it cuts', () => {
    const wide: HistoryEvent[] = [{ id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify({ address: '東京都千代田区'.repeat(20) }) } }];
    const [line] = formatHistory(wide, { columns: 110, utc: true });
    expect(line).toContain('東京');
    expect(visibleWidth(line)).toBeLessThanOrEqual(110);
    expect(visibleWidth(line)).toBeGreaterThanOrEqual(109);
  });
});

describe('a narrow terminal', () => {
  const input = JSON.stringify({ orderId: 'ORD-1001', customer: { name: 'Ada Lovelace' } });
  const order: HistoryEvent[] = [
    { id: 1, previousEventId: 0, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input } },
    { id: 2, previousEventId: 1, timestamp: at(0), type: 'ParallelStateEntered', stateEnteredEventDetails: { name: 'ChargeAndReserve', input } },
    { id: 3, previousEventId: 2, timestamp: at(0), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'ReserveStock', input } },
    { id: 4, previousEventId: 3, timestamp: at(0), type: 'LambdaFunctionScheduled', lambdaFunctionScheduledEventDetails: { resource: 'arn:aws:lambda:us-east-1:123456789012:function:reserve', input } },
    { id: 5, previousEventId: 4, timestamp: at(1), type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: { output: input } },
    { id: 6, previousEventId: 5, timestamp: at(1), type: 'TaskStateExited', stateExitedEventDetails: { name: 'ReserveStock', output: input } },
    { id: 7, previousEventId: 6, timestamp: at(1), type: 'ParallelStateExited', stateExitedEventDetails: { name: 'ChargeAndReserve', output: input } },
    { id: 8, previousEventId: 7, timestamp: at(4), type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: input } },
  ];

  it('still has room for data at 80 columns in a history of Parallel and Lambda states', () => {
    const lines = formatHistory(order, { columns: 80, utc: true }).map(stripAnsi);
    for (const line of lines) {
      expect(visibleWidth(line)).toBeLessThanOrEqual(80);
      expect(line, line).toMatch(/(input|output) \{"orderId":.*…$/);
    }
  });

  it('drops the input/output label before the data, which the event type implies', () => {
    const lines = formatHistory(order, { columns: 70, utc: true }).map(stripAnsi);
    expect(lines[4]).toMatch(/LambdaFunctionSucceeded {2}\{"orderId":.*…$/);
  });

  it('leaves the data column out rather than show a few characters of it', () => {
    const [line] = formatHistory(succeeded.slice(0, 1), { columns: 50, utc: true });
    expect(stripAnsi(line)).toMatch(/ExecutionStarted$/);
  });
});
