/**
 * API latency while poison executions run (issue 13): the emulator (a child
 * process, persistence on) answers a steady stream of ordinary API calls
 * through the real SDK, first with nothing else running (quiet), then while
 * poison executions run:
 *  - a handler that spins forever (`for (;;) {}`, timeoutSeconds 60, in its
 *    worker thread);
 *  - endless Pass/Choice loops (the engine runs them until the 25,000-event
 *    limit fails them).
 *  - an endless loop of states that each await a heavy JSONata expression
 *    (`$sum([1..3000000])`, 150-400 ms each): only its first evaluation runs
 *    on the emulator's thread; from then on a worker thread evaluates it
 *    (src/engine/jsonata-workers.ts).
 * Each poison that ends is started again, so all run for the whole measurement.
 * The calls: DescribeStateMachine, ListExecutions (10), and a StartExecution of
 * a Pass machine followed to its end with DescribeExecution. The figure is each
 * call's p99, and the poisoned p99 as a ratio of the quiet one from this same
 * run (goal: under 100 ms, issue 13's figure). BENCH_POISON_ONLY=spinner|loop|jsonata runs one kind;
 * BENCH_POISON_SAMPLES sets the calls per phase (400).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, DescribeStateMachineCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { spawnEmulator } from '../test/helpers/emulator-child.js';
import { FIVE_STATES } from './machines.js';

const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';
const SAMPLES = Number(process.env.BENCH_POISON_SAMPLES ?? 400);
const LOOPS = 2;
const ONLY = process.env.BENCH_POISON_ONLY;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

const root = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-poison-'));
mkdirSync(path.join(root, 'functions'));
writeFileSync(path.join(root, 'deliv.yaml'), 'name: poison\nstateMachines: {}\nfunctions:\n  spin: { handler: functions/spin.mjs, timeoutSeconds: 60 }\n');
writeFileSync(path.join(root, 'functions/spin.mjs'), 'export const handler = () => { for (;;) {} };\n');
const emulator = await spawnEmulator(root, '1');
const sfn = new SFNClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1, disableHostPrefix: true });
try {
  const create = async (name: string, definition: object) => (await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
  const ordinary = await create('ordinary', FIVE_STATES);
  const spinner = await create('spinner', { StartAt: 'Spin', States: { Spin: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:spin', End: true } } });
  const loop = await create('loop', {
    StartAt: 'Again',
    States: { Again: { Type: 'Pass', Next: 'Forever' }, Forever: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'Again' }, Done: { Type: 'Succeed' } },
  });

  /** One round of ordinary calls, each timed on its own. */
  async function sample(into: Record<string, number[]>): Promise<void> {
    into.DescribeStateMachine.push(await timed(() => sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ordinary }))));
    into.ListExecutions.push(await timed(() => sfn.send(new ListExecutionsCommand({ stateMachineArn: ordinary, maxResults: 10 }))));
    let executionArn = '';
    into.StartExecution.push(await timed(async () => ({ executionArn } = (await sfn.send(new StartExecutionCommand({ stateMachineArn: ordinary, input: '{"order":1,"items":[1,2,3]}' }))) as { executionArn: string })));
    into.DescribeExecution.push(await timed(() => sfn.send(new DescribeExecutionCommand({ executionArn }))));
  }
  const empty = (): Record<string, number[]> => ({ DescribeStateMachine: [], ListExecutions: [], StartExecution: [], DescribeExecution: [] });

  const quiet = empty();
  for (let i = 0; i < SAMPLES / 4; i++) await sample(quiet);

  // The poisons: kept running for the whole measurement (a loop that hits the event limit is replaced).
  let poisoning = true;
  const keepRunning = async (stateMachineArn: string) => {
    while (poisoning) {
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
      while (poisoning && (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const jsonata = await create('jsonata', {
    QueryLanguage: 'JSONata',
    StartAt: 'Heavy',
    States: {
      Heavy: { Type: 'Pass', Output: '{% {"sum": $sum([1..3000000])} %}', Next: 'Again' },
      Again: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.sum > 0 %}', Next: 'Heavy' }], Default: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });
  const chosen = { spinner: [spinner], loop: Array.from({ length: LOOPS }, () => loop), jsonata: [jsonata] } as Record<string, string[]>;
  const poisons = Object.entries(chosen).filter(([name]) => !ONLY || ONLY === name).flatMap(([, arns]) => arns.map((arn) => keepRunning(arn)));
  // Let every poison get going before measuring.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const poisoned = empty();
  for (let i = 0; i < SAMPLES / 4; i++) await sample(poisoned);
  poisoning = false;
  await Promise.all(poisons);

  const all = (record: Record<string, number[]>) => Object.values(record).flat();
  console.log(`API latency while poison executions run: ${ONLY ?? `a spinning handler, ${LOOPS} endless Pass/Choice loops and a heavy JSONata loop`} (${SAMPLES} calls each phase, load ${os.loadavg()[0].toFixed(1)})`);
  for (const name of Object.keys(quiet)) {
    const before = percentile(quiet[name], 0.99);
    const during = percentile(poisoned[name], 0.99);
    console.log(`  ${name.padEnd(22)} p99 quiet ${ms(before).padStart(9)}   poisoned ${ms(during).padStart(9)}   ${(during / before).toFixed(2)}×`);
  }
  const quietP99 = percentile(all(quiet), 0.99);
  const poisonedP99 = percentile(all(poisoned), 0.99);
  console.log(`  all calls              p99 quiet ${ms(quietP99).padStart(9)}   poisoned ${ms(poisonedP99).padStart(9)}   ${(poisonedP99 / quietP99).toFixed(2)}×   goal < 100 ms: ${poisonedP99 < 100 ? 'met' : 'NOT met'}`);
} finally {
  sfn.destroy();
  await emulator.stop();
  rmSync(root, { recursive: true, force: true });
}
