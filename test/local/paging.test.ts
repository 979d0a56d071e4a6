/**
 * Keyset pagination: pages follow the last key seen, not an offset, so a
 * list that grows between two pages neither repeats nor skips a row, and
 * tokens are opaque and bound to the list that issued them.
 */
import {
  CreateStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPager, TOKEN_LIFETIME_MS } from '../../src/local/api/paging.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

// A counter loop of 40 rounds: a history of over 100 events, long enough to page.
const LOOP = JSON.stringify({
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: 0, ResultPath: '$.n', Next: 'Step' },
    Step: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'More' },
    More: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 40, Next: 'Step' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
});

let t: TestEmulator;
let machineArn: string;
beforeAll(async () => {
  t = await testEmulator();
  machineArn = (await t.sfn.send(new CreateStateMachineCommand({ name: 'pager', definition: LOOP, roleArn: ROLE }))).stateMachineArn!;
});
afterAll(() => t.close());

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('expected a rejection');
}

async function start(name: string): Promise<string> {
  const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name }));
  await finished(t.sfn, executionArn!);
  return executionArn!;
}

describe('ListExecutions', () => {
  it('pages newest first, and executions started between two pages neither repeat nor shift the next page', async () => {
    for (const name of ['e1', 'e2', 'e3', 'e4', 'e5']) await start(name);
    const first = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2 }));
    expect(first.executions!.map((e) => e.name)).toEqual(['e5', 'e4']);
    await start('e6');
    await start('e7');
    const names: string[] = first.executions!.map((e) => e.name!);
    let nextToken = first.nextToken;
    while (nextToken) {
      const page = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 2, nextToken }));
      names.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
    }
    expect(names).toEqual(['e5', 'e4', 'e3', 'e2', 'e1']);
    const all = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(all.executions!.map((e) => e.name)).toEqual(['e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1']);
    expect(all.nextToken).toBeUndefined();
    expect(all.executions![0]).not.toHaveProperty('input');
  });

  it('pages a status filter, and refuses a token issued for another filter or machine', async () => {
    const page = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }));
    expect(page.executions).toHaveLength(1);
    expect(page.nextToken).toBeDefined();
    const token = page.nextToken;
    expect(await errorName(t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'FAILED', nextToken: token })))).toBe('InvalidToken');
    const other = (await t.sfn.send(new CreateStateMachineCommand({ name: 'pager-other', definition: LOOP, roleArn: ROLE }))).stateMachineArn!;
    expect(await errorName(t.sfn.send(new ListExecutionsCommand({ stateMachineArn: other, statusFilter: 'SUCCEEDED', nextToken: token })))).toBe('InvalidToken');
    const tampered = `${token!.slice(0, 5)}${token![5] === 'A' ? 'B' : 'A'}${token!.slice(6)}`;
    expect(await errorName(t.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'SUCCEEDED', nextToken: tampered })))).toBe('InvalidToken');
  });
});

describe('GetExecutionHistory', () => {
  it('pages forward and in reverse to the same events as one read, and refuses another execution’s token', async () => {
    const arn = await start('long-history');
    const whole = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }))).events!;
    expect(whole.length).toBeGreaterThan(100);
    expect(whole.map((e) => e.id)).toEqual(whole.map((_, i) => i + 1));

    const read = async (reverseOrder: boolean) => {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 7, reverseOrder, nextToken }));
        expect(page.events!.length).toBeLessThanOrEqual(7);
        events.push(...page.events!);
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    };
    expect(await read(false)).toEqual(whole);
    expect(await read(true)).toEqual([...whole].reverse());

    const forward = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 3 }));
    const other = await start('other-history');
    expect(await errorName(t.sfn.send(new GetExecutionHistoryCommand({ executionArn: other, nextToken: forward.nextToken })))).toBe('InvalidToken');
    expect(await errorName(t.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, nextToken: forward.nextToken })))).toBe('InvalidToken');
    expect(await errorName(t.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken: 'garbage' })))).toBe('InvalidToken');
  });
});

describe('machines and versions', () => {
  it('pages ListStateMachines by name and versions newest first', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.sfn.send(new ListStateMachinesCommand({ maxResults: 1, nextToken }));
      seen.push(...page.stateMachines!.map((m) => m.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(['pager', 'pager-other']));

    const versioned = (await t.sfn.send(new CreateStateMachineCommand({ name: 'pager-versions', definition: LOOP, roleArn: ROLE, publish: true }))).stateMachineArn!;
    for (const result of [1, 2]) {
      const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', Result: result, End: true } } });
      await t.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: versioned, definition, publish: true }));
    }
    const versions: string[] = [];
    do {
      const page = await t.sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: versioned, maxResults: 2, nextToken }));
      versions.push(...page.stateMachineVersions!.map((v) => v.stateMachineVersionArn!.split(':').pop()!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(versions).toEqual(['3', '2', '1']);
  });
});

describe('page tokens', () => {
  it('expire after AWS’s 24 hours', () => {
    let now = 1_000_000;
    const pager = createPager(Buffer.alloc(32, 7), () => now);
    const request = pager.request({ maxResults: 1 }, 'scope');
    const { nextToken } = pager.result([{ k: 1 }, { k: 2 }], request, 'scope', (row) => [row.k]);
    expect(pager.request({ nextToken }, 'scope').after).toEqual([1]);
    now += TOKEN_LIFETIME_MS + 1;
    expect(() => pager.request({ nextToken }, 'scope')).toThrow(expect.objectContaining({ type: 'InvalidToken' }));
  });
});

describe('maxResults', () => {
  const pager = createPager(Buffer.alloc(32, 7));
  const refusal = (maxResults: unknown) => {
    try {
      pager.request({ maxResults }, 'scope');
    } catch (error) {
      return [(error as { type: string }).type, (error as Error).message];
    }
    throw new Error('expected a refusal');
  };

  it('is 0..1000 as in AWS’s model, 0 or none meaning a page of 100', () => {
    expect([pager.request({}, 'scope').size, pager.request({ maxResults: 0 }, 'scope').size, pager.request({ maxResults: 1000 }, 'scope').size]).toEqual([100, 100, 1000]);
    expect(refusal(1001)).toEqual(['ValidationException', "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"]);
    expect(refusal(-1)).toEqual(['ValidationException', "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"]);
  });

  it('is an integer: a string or a fraction is a body the service cannot read', () => {
    expect(refusal('5')).toEqual(['SerializationException', 'Unexpected value type for maxResults: expected an integer']);
    expect(refusal(2.5)[0]).toBe('SerializationException');
  });
});
