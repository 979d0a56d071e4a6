/**
 * Resume after a restart (issue 19): an execution whose history is stored runs
 * again from it, consuming each recorded event instead of re-doing its work.
 * Measures, in this process, a Map's fresh run against its resume from the
 * whole history but its last events (the most a resume can replay):
 *  - engine: the run alone, events handed to a no-op listener;
 *  - store: what the emulator does, events written to its SQLite store, and
 *    on resume the history read back from it first.
 * Two Maps: Pass iterations, which run one after another, and Task iterations
 * answering asynchronously, all started at once (so every MapIterationStarted
 * follows the same event, the case a scan of followers made quadratic).
 * The Map sizes are the largest that fit AWS's 25,000-event history: an
 * inline Map of 16,000 items would need 64,000 events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from '../src/asl/types.js';
import { compile, realClock, type ExecutionOptions } from '../src/engine/index.js';
import { Store, type ExecutionRow } from '../src/local/store.js';

const ROUNDS = 7;
const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const ROLE = 'arn:aws:iam::123456789012:role/bench';

const mapOf = (iteration: object): StateMachineDefinition =>
  ({ StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Step', States: { Step: { ...iteration, End: true } } }, End: true } } }) as unknown as StateMachineDefinition;

const scenarios = [
  { label: 'Map of 6,000 Pass iterations (24,006 events)', items: 6000, definition: mapOf({ Type: 'Pass' }) },
  { label: 'Map of 3,500 Task iterations at once (24,506 events)', items: 3500, definition: mapOf({ Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:label' }) },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-resume-'));
const store = new Store(path.join(dataDir, '.deliv'));
const definitionRow = JSON.stringify(scenarios[0].definition);
let counter = 0;

function row(name: string): ExecutionRow {
  const started = Date.now();
  return {
    arn: `${ACCOUNT}:execution:bench:${name}`,
    machineArn: `${ACCOUNT}:stateMachine:bench`,
    machineName: 'bench',
    versionArn: null,
    aliasArn: null,
    name,
    type: 'STANDARD',
    status: 'RUNNING',
    input: '{}',
    output: null,
    error: null,
    cause: null,
    started,
    stopped: null,
    definition: definitionRow,
    roleArn: ROLE,
    revisionId: 'bench',
    traceHeader: null,
    testCase: null,
    redriveCount: 0,
    redriveDate: null,
    parentArn: null,
  };
}

function options(name: string, items: number, onEvent: (event: HistoryEvent) => void, resumeFrom?: HistoryEvent[]): ExecutionOptions {
  return {
    executionArn: `${ACCOUNT}:execution:bench:${name}`,
    name,
    stateMachineArn: `${ACCOUNT}:stateMachine:bench`,
    stateMachineName: 'bench',
    roleArn: ROLE,
    input: { items: Array.from({ length: items }, (_, i) => ({ parcel: i })) },
    clock: realClock(0),
    runner: { run: async (request) => request.parameters },
    onEvent,
    resumeFrom,
  };
}

/** Time of one run; `prefix` resumes. Through the store, the events are written as the emulator writes them. */
async function once(scenario: (typeof scenarios)[number], viaStore: boolean, prefix?: HistoryEvent[]): Promise<{ ms: number; events: HistoryEvent[] }> {
  const compiled = compile(scenario.definition);
  if (!compiled.ok) throw new Error('bench definition does not compile');
  const events: HistoryEvent[] = [];
  const name = `run-${++counter}`;
  let arn = '';
  if (viaStore) {
    const stored = row(name);
    arn = stored.arn;
    store.insertExecution(stored);
    if (prefix) for (const event of prefix) store.appendEvent(arn, event);
    store.flush();
  }
  const started = performance.now();
  const resumeFrom = prefix && viaStore ? store.history(arn) : prefix;
  const onEvent = viaStore ? (event: HistoryEvent) => store.appendEvent(arn, event) : (event: HistoryEvent) => void events.push(event);
  const result = await compiled.machine.start(options(name, scenario.items, onEvent, resumeFrom)).result;
  if (viaStore) store.flush();
  const ms = performance.now() - started;
  if (result.status !== 'SUCCEEDED') throw new Error(`bench run ${result.status}: ${result.cause}`);
  return { ms, events };
}

console.log(`resume vs fresh run, medians of ${ROUNDS} interleaved rounds; the resume replays all but the last 3 events`);
try {
  for (const scenario of scenarios) {
    const recorded = (await once(scenario, false)).events;
    const prefix = recorded.slice(0, recorded.length - 3);
    for (const viaStore of [false, true]) {
      const fresh: number[] = [];
      const resumed: number[] = [];
      for (let round = -1; round < ROUNDS; round += 1) {
        const a = await once(scenario, viaStore);
        const b = await once(scenario, viaStore, prefix);
        if (round < 0) continue;
        fresh.push(a.ms);
        resumed.push(b.ms);
      }
      const ratio = median(resumed) / median(fresh);
      const where = viaStore ? 'store ' : 'engine';
      console.log(`  ${where} ${scenario.label.padEnd(54)} ${median(resumed).toFixed(1).padStart(7)} / ${median(fresh).toFixed(1).padStart(7)} ms = ${ratio.toFixed(2)}×   goal ≤ 3×: ${ratio <= 3 ? 'met' : 'NOT met'}`);
    }
  }
} finally {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
