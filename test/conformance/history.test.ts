/**
 * The AWS-recorded whole histories through the emulator, as a user's SDK
 * sees them: every case's machine is created under the recording's name
 * shape, its Task results come from one MockConfigFile (test case
 * `HistoryCase`), the execution runs, and its whole GetExecutionHistory (all
 * pages) must be the recorded one event by event (see history/README.md).
 * A case the emulator cannot reproduce yet is an explicit skip naming why.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../src/aws/clients.js';
import { CONFORMANCE_SUITE } from '../helpers/conformance.js';
import { tempDir } from '../helpers/cli.js';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';
import { activityAnswers, answeredByWorker, hasMocks, HISTORY_TEST_CASE, historyMismatches, loadHistoryCases, mockConfigFor, nameFrom, normaliseObserved, type HistoryCase } from '../helpers/history-cases.js';
import { HISTORY_SKIPS } from './history-skips.js';

const cases = loadHistoryCases().map((testCase, index) => ({ testCase, machineName: nameFrom(testCase.markers.machine_name_template, index + 1) }));
const temp = tempDir('deliv-history-');
let t: TestEmulator;

beforeAll(async () => {
  mkdirSync(path.join(temp.dir, 'mocks'));
  writeFileSync(path.join(temp.dir, 'mocks', 'MockConfigFile.json'), JSON.stringify(mockConfigFor(cases.filter(({ testCase }) => !answeredByWorker(testCase))), null, 1));
  t = await testEmulator({ root: temp.dir });
});
afterAll(async () => {
  await t?.close();
  temp.cleanup();
});

async function wholeHistory(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 100 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The case's activities created here (in this account), the definition using them, and a worker that answers their tasks as recorded. */
async function activityWorker(testCase: HistoryCase): Promise<{ definition: string; resources: [string, string][]; work: () => Promise<void> }> {
  let definition = JSON.stringify(testCase.definition);
  const resources: [string, string][] = [];
  const queues: { activityArn: string; answers: ReturnType<typeof activityAnswers>[number]['answers'] }[] = [];
  for (const { activityArn, answers } of answeredByWorker(testCase) ? activityAnswers(testCase) : []) {
    const created = (await t.sfn.send(new CreateActivityCommand({ name: activityArn.slice(activityArn.lastIndexOf(':') + 1) }))).activityArn!;
    definition = definition.split(activityArn).join(created);
    resources.push([created, activityArn]);
    queues.push({ activityArn: created, answers });
  }
  const work = async () => {
    for (const { activityArn, answers } of queues) {
      for (const answer of answers) {
        const { taskToken } = await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'history-worker' }));
        if ('output' in answer) await t.sfn.send(new SendTaskSuccessCommand({ taskToken, output: answer.output }));
        else await t.sfn.send(new SendTaskFailureCommand({ taskToken, error: answer.error, cause: answer.cause }));
      }
    }
  };
  return { definition, resources, work };
}

async function reproduce(testCase: HistoryCase, machineName: string): Promise<string[]> {
  const worker = await activityWorker(testCase);
  const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: machineName, definition: worker.definition, roleArn: ROLE }));
  const executionName = nameFrom(testCase.markers.execution_name_template, 0);
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: hasMocks(testCase) && !answeredByWorker(testCase) ? `${stateMachineArn}#${HISTORY_TEST_CASE}` : stateMachineArn,
      name: executionName,
      input: JSON.stringify(testCase.input),
    }),
  );
  await worker.work();
  const described = await finished(t.sfn, executionArn!);
  const events = normaliseObserved((await wholeHistory(executionArn!)) as unknown as Record<string, unknown>[], testCase, {
    resources: worker.resources,
    machineName,
    executionName,
    roleArn: ROLE,
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
  });
  const problems = historyMismatches(testCase, events);
  if (described.status !== testCase.expected.status) problems.unshift(`status: expected ${testCase.expected.status}, got ${described.status} (${described.error ?? ''}: ${described.cause ?? ''})`);
  // DELIV_HISTORY_REPORT=FILE appends every case's mismatches as a JSON line, to see the whole corpus at once.
  if (process.env.DELIV_HISTORY_REPORT) appendFileSync(process.env.DELIV_HISTORY_REPORT, `${JSON.stringify({ id: testCase.id, problems })}\n`);
  return problems;
}

const skipped = cases.filter(({ testCase }) => HISTORY_SKIPS[testCase.id]).length;
process.stdout.write(`recorded histories: ${cases.length - skipped} run, ${skipped} skipped (reasons in test/conformance/history-skips.ts)\n`);

describe(`${CONFORMANCE_SUITE}: whole histories through the HTTP API`, () => {
  for (const { testCase, machineName } of cases) {
    const reason = HISTORY_SKIPS[testCase.id];
    // DELIV_HISTORY_SKIPS=run runs the skipped cases too, to see which ones a fix turned into passes.
    if (reason && process.env.DELIV_HISTORY_SKIPS !== 'run') {
      it.skip(`${testCase.id} (${reason})`, () => undefined);
      continue;
    }
    it(testCase.id, async () => {
      expect((await reproduce(testCase, machineName)).join('\n')).toBe('');
    });
  }
});
