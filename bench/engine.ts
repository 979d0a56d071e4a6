/**
 * Engine speed: five scenarios run through deliv's engine, through the peer
 * package aws-local-stepfunctions, and through a hand-written JavaScript
 * function doing the same work (the same state logic and an AWS-shaped
 * history event per step), all in this one process. Prints the median state
 * transitions per second of each and the ratios.
 *
 * History: deliv records every event (it always does); the hand-written
 * baseline records equivalent events; the peer keeps its own event log (its
 * default). A peer result that differs from the expected output counts as
 * "cannot run" (the peer has no JSONata, for instance).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { JsonValue, StateMachineDefinition } from '../src/asl/types.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CompiledMachine, ExecutionOptions, TaskRequest } from '../src/engine/index.js';

// The built engine (what users run; `npm run bench` builds first), else the sources through tsx.
const built = new URL('../dist/engine/index.js', import.meta.url);
const engine = (await import(existsSync(fileURLToPath(built)) ? built.href : '../src/engine/index.js')) as typeof import('../src/engine/index.js');
const { compile, realClock } = engine;

// The peer calls Promise.withResolvers (Node 22+) for Task states; give Node 20 the standard behaviour.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// ---------------------------------------------------------------- definitions

// Sizes keep each history under AWS's 25,000 events (the engine fails an execution there, as AWS does).
const LOOP = 5_000;
const loopJsonPath: StateMachineDefinition = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Increment' },
    Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: LOOP, Next: 'Increment' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
const loopJsonata: StateMachineDefinition = {
  QueryLanguage: 'JSONata',
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Output: { i: 0 }, Next: 'Increment' },
    Increment: { Type: 'Pass', Output: '{% {"i": $states.input.i + 1} %}', Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Condition: `{% $states.input.i < ${LOOP} %}`, Next: 'Increment' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};
const LOOP_TRANSITIONS = 2 + 2 * LOOP;

// and the Map's output under its 256 KiB payload limit.
const ITEMS = 3_000;
const mapItems: StateMachineDefinition = {
  StartAt: 'EachParcel',
  States: {
    EachParcel: {
      Type: 'Map',
      ItemsPath: '$.parcels',
      ItemSelector: { 'parcel.$': '$$.Map.Item.Value', 'position.$': '$$.Map.Item.Index', 'depot.$': '$.depot' },
      ItemProcessor: { StartAt: 'Label', States: { Label: { Type: 'Pass', End: true } } },
      End: true,
    },
  },
};
const mapInput = { depot: 'LDS-1', parcels: Array.from({ length: ITEMS }, (_, i) => ({ id: i, kg: (i % 7) + 0.5 })) };
const MAP_TRANSITIONS = 1 + ITEMS;

const BRANCHES = 10;
const CHAIN = 10;
const parallelFanOut: StateMachineDefinition = {
  StartAt: 'FanOut',
  States: {
    FanOut: {
      Type: 'Parallel',
      End: true,
      Branches: Array.from({ length: BRANCHES }, (_, b) => ({
        StartAt: `B${b}S0`,
        States: Object.fromEntries(
          Array.from({ length: CHAIN }, (_, s) => [`B${b}S${s}`, s === CHAIN - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `B${b}S${s + 1}` }]),
        ),
      })),
    },
  },
};
const PARALLEL_RUNS = 100;
const PARALLEL_TRANSITIONS = PARALLEL_RUNS * (1 + BRANCHES * CHAIN);

const STEPS = ['Validate', 'Reserve', 'Charge', 'Book', 'Notify'];
const taskChain: StateMachineDefinition = {
  StartAt: STEPS[0],
  States: Object.fromEntries(
    STEPS.map((step, i) => [
      step,
      { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:123456789012:function:${step.toLowerCase()}`, ...(i === STEPS.length - 1 ? { End: true } : { Next: STEPS[i + 1] }) },
    ]),
  ),
};
const TASK_RUNS = 1_000;
const TASK_TRANSITIONS = TASK_RUNS * STEPS.length;
/** The in-process "Lambda" of each step: marks the order as having passed it. */
const handlerFor =
  (step: string) =>
  async (event: JsonValue): Promise<JsonValue> => ({ ...(event as Record<string, JsonValue>), [step]: true });
const handlers = Object.fromEntries(STEPS.map((step) => [`arn:aws:lambda:us-east-1:123456789012:function:${step.toLowerCase()}`, handlerFor(step)]));

// ---------------------------------------------------------------- deliv

const clock = realClock(0);
let executionCounter = 0;
function options(input: JsonValue): ExecutionOptions {
  executionCounter += 1;
  return {
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:bench:run-${executionCounter}`,
    name: `run-${executionCounter}`,
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
    stateMachineName: 'bench',
    roleArn: 'arn:aws:iam::123456789012:role/bench',
    input,
    clock,
    runner: { run: (request: TaskRequest) => (handlers[request.baseResource] as (event: JsonValue) => Promise<JsonValue>)(request.parameters) },
  };
}

function machine(definition: StateMachineDefinition): CompiledMachine {
  const compiled = compile(definition);
  if (!compiled.ok) throw new Error(`bench definition does not compile: ${JSON.stringify(compiled.problems)}`);
  return compiled.machine;
}

async function delivRun(compiled: CompiledMachine, input: JsonValue): Promise<JsonValue> {
  const result = await compiled.start(options(input)).result;
  if (result.status !== 'SUCCEEDED') throw new Error(`deliv run failed: ${result.error}: ${result.cause}`);
  return result.output as JsonValue;
}

// ---------------------------------------------------------------- peer

type PeerRun = (input: JsonValue) => Promise<JsonValue>;
function peer(definition: StateMachineDefinition, localHandlers?: Record<string, (event: JsonValue) => Promise<JsonValue>>): PeerRun {
  const sm = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } } as never);
  return (input) => sm.run(input as never, localHandlers ? ({ overrides: { taskResourceLocalHandlers: localHandlers } } as never) : undefined).result as Promise<JsonValue>;
}
const peerTaskHandlers = Object.fromEntries(STEPS.map((step) => [step, handlerFor(step)]));

// ---------------------------------------------------------------- hand-written

/**
 * What the engine records per step, written out by hand with the same
 * economies (one Date per millisecond, a payload's JSON text reused when the
 * next event carries the same value): the limit of the same work.
 */
class HandHistory {
  events: object[] = [];
  private last = 0;
  private dateMs = NaN;
  private date = new Date(0);
  private jsonValue: unknown;
  private jsonText = '';
  json(value: unknown): string {
    if (value !== this.jsonValue) {
      this.jsonValue = value;
      this.jsonText = JSON.stringify(value);
    }
    return this.jsonText;
  }
  add(type: string, details: object): void {
    const id = this.events.length + 1;
    const now = Date.now();
    if (now !== this.dateMs) {
      this.dateMs = now;
      this.date = new Date(now);
    }
    this.events.push({ id, previousEventId: this.last, timestamp: this.date, type, details });
    this.last = id;
  }
  state(type: string, name: string, input: JsonValue, output: JsonValue): void {
    this.add(`${type}StateEntered`, { name, input: this.json(input) });
    this.add(`${type}StateExited`, { name, output: this.json(output) });
  }
}

function handLoop(): JsonValue {
  const h = new HandHistory();
  h.add('ExecutionStarted', { input: '{}' });
  let value: { i: number } = { i: 0 };
  h.state('Pass', 'Init', {}, value);
  for (;;) {
    const next = { i: value.i + 1 };
    h.state('Pass', 'Increment', value, next);
    value = next;
    h.state('Choice', 'Check', value, value);
    if (!(value.i < LOOP)) break;
  }
  h.state('Succeed', 'Done', value, value);
  h.add('ExecutionSucceeded', { output: h.json(value) });
  return value;
}

function handMap(): JsonValue {
  const h = new HandHistory();
  h.add('ExecutionStarted', { input: h.json(mapInput) });
  h.add('MapStateEntered', { name: 'EachParcel', input: h.json(mapInput) });
  const results = mapInput.parcels.map((parcel, position) => {
    h.add('MapIterationStarted', { name: 'EachParcel', index: position });
    const item = { parcel, position, depot: mapInput.depot };
    h.state('Pass', 'Label', item, item);
    h.add('MapIterationSucceeded', { name: 'EachParcel', index: position });
    return item;
  });
  h.add('MapStateExited', { name: 'EachParcel', output: h.json(results) });
  h.add('ExecutionSucceeded', { output: h.json(results) });
  return results;
}

function handParallel(): JsonValue {
  let out: JsonValue = null;
  for (let run = 0; run < PARALLEL_RUNS; run += 1) {
    const h = new HandHistory();
    h.add('ExecutionStarted', { input: '{}' });
    h.add('ParallelStateEntered', { name: 'FanOut', input: '{}' });
    const results: JsonValue[] = [];
    for (let b = 0; b < BRANCHES; b += 1) {
      const value = {};
      for (let s = 0; s < CHAIN; s += 1) h.state('Pass', `B${b}S${s}`, value, value);
      results.push(value);
    }
    h.add('ParallelStateExited', { name: 'FanOut', output: h.json(results) });
    h.add('ExecutionSucceeded', { output: h.json(results) });
    out = results;
  }
  return out;
}

async function handTasks(input: JsonValue): Promise<JsonValue> {
  const h = new HandHistory();
  h.add('ExecutionStarted', { input: h.json(input) });
  let value = input;
  for (const step of STEPS) {
    h.add('TaskStateEntered', { name: step, input: h.json(value) });
    h.add('LambdaFunctionScheduled', { input: h.json(value) });
    h.add('LambdaFunctionStarted', {});
    value = await handlerFor(step)(value);
    h.add('LambdaFunctionSucceeded', { output: h.json(value) });
    h.add('TaskStateExited', { name: step, output: h.json(value) });
  }
  h.add('ExecutionSucceeded', { output: h.json(value) });
  return value;
}

// ---------------------------------------------------------------- harness

interface Runner {
  run(): Promise<JsonValue> | JsonValue;
}

/** Checks a runner's result once; undefined when it cannot run the scenario or gets it wrong. */
async function usable(label: string, runner: Runner | undefined, expected: string): Promise<Runner | undefined> {
  if (!runner) return undefined;
  try {
    const first = JSON.stringify(await runner.run());
    if (first === expected) return runner;
    console.log(`  ${label}: wrong result, not measured (${first.slice(0, 80)}…)`);
  } catch (error) {
    console.log(`  ${label}: cannot run it (${(error as Error).message.slice(0, 100)})`);
  }
  return undefined;
}

/**
 * Median transitions/s of each runner. Rounds interleave the runners (one run
 * of each per round) so that load from elsewhere on the machine falls on all
 * of them alike; the first rounds are warm-up.
 */
async function measure(transitions: number, runners: Array<Runner | undefined>, rounds: number): Promise<Array<number | undefined>> {
  const rates: number[][] = runners.map(() => []);
  for (let round = -2; round < rounds; round += 1) {
    for (const [index, runner] of runners.entries()) {
      if (!runner) continue;
      const started = performance.now();
      await runner.run();
      if (round >= 0) rates[index].push(transitions / ((performance.now() - started) / 1000));
    }
  }
  return rates.map((list) => (list.length === 0 ? undefined : list.sort((a, b) => a - b)[Math.floor(list.length / 2)]));
}

interface Scenario {
  name: string;
  transitions: number;
  expected: JsonValue;
  deliv: Runner;
  peer?: Runner;
  hand: Runner;
}

function sequential(count: number, one: (i: number) => Promise<JsonValue>): Runner {
  return {
    async run() {
      let last: JsonValue = null;
      for (let i = 0; i < count; i += 1) last = await one(i);
      return last;
    },
  };
}

function concurrent(count: number, one: (i: number) => Promise<JsonValue>): Runner {
  return {
    async run() {
      const all = await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
      return all[all.length - 1];
    },
  };
}

const order = (i: number): JsonValue => ({ orderId: `o-${i}`, items: 3 });
const orderDone = (i: number): JsonValue => ({ ...(order(i) as Record<string, JsonValue>), ...Object.fromEntries(STEPS.map((s) => [s, true])) });

const loopMachine = machine(loopJsonPath);
const loopAtaMachine = machine(loopJsonata);
const mapMachine = machine(mapItems);
const parallelMachine = machine(parallelFanOut);
const taskMachine = machine(taskChain);
const peerLoop = peer(loopJsonPath);
const peerLoopAta = peer(loopJsonata);
const peerMap = peer(mapItems);
const peerParallel = peer(parallelFanOut);
const peerTasks = peer(taskChain, peerTaskHandlers);
const parallelResult = Array.from({ length: BRANCHES }, () => ({}));

const scenarios: Scenario[] = [
  {
    name: '(a) Pass+Choice loop ×5,000, States.MathAdd',
    transitions: LOOP_TRANSITIONS,
    expected: { i: LOOP },
    deliv: { run: () => delivRun(loopMachine, {}) },
    peer: { run: () => peerLoop({}) },
    hand: { run: handLoop },
  },
  {
    name: '(b) Map ×3,000 items, ItemSelector + Pass',
    transitions: MAP_TRANSITIONS,
    expected: handMap(),
    deliv: { run: () => delivRun(mapMachine, mapInput) },
    peer: { run: () => peerMap(mapInput) },
    hand: { run: handMap },
  },
  {
    name: '(c) Parallel 10×10 Pass, 100 executions',
    transitions: PARALLEL_TRANSITIONS,
    expected: parallelResult,
    deliv: sequential(PARALLEL_RUNS, () => delivRun(parallelMachine, {})),
    peer: sequential(PARALLEL_RUNS, () => peerParallel({})),
    hand: { run: handParallel },
  },
  {
    name: '(d1) 5 Tasks, 1,000 executions one by one',
    transitions: TASK_TRANSITIONS,
    expected: orderDone(TASK_RUNS - 1),
    deliv: sequential(TASK_RUNS, (i) => delivRun(taskMachine, order(i))),
    peer: sequential(TASK_RUNS, (i) => peerTasks(order(i))),
    hand: sequential(TASK_RUNS, (i) => handTasks(order(i))),
  },
  {
    name: '(d2) 5 Tasks, 1,000 executions at once',
    transitions: TASK_TRANSITIONS,
    expected: orderDone(TASK_RUNS - 1),
    deliv: concurrent(TASK_RUNS, (i) => delivRun(taskMachine, order(i))),
    peer: concurrent(TASK_RUNS, (i) => peerTasks(order(i))),
    hand: concurrent(TASK_RUNS, (i) => handTasks(order(i))),
  },
  {
    name: '(e) (a) in JSONata',
    transitions: LOOP_TRANSITIONS,
    expected: { i: LOOP },
    deliv: { run: () => delivRun(loopAtaMachine, {}) },
    peer: { run: () => peerLoopAta({}) },
    hand: { run: handLoop },
  },
];

const fmt = (rate: number | undefined): string => (rate === undefined ? 'n/a' : `${Math.round(rate).toLocaleString('en-US')}/s`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}×`);

console.log('state transitions per second (median); history recorded in every run');
const rows: string[][] = [['scenario', 'deliv', 'peer', 'hand-written', 'deliv/peer', 'deliv/hand']];
/** deliv/hand of each scenario, for the issue's goals below. */
const toHand = new Map<string, number | undefined>();
for (const scenario of scenarios) {
  const expected = JSON.stringify(scenario.expected);
  const runners = [await usable('deliv', scenario.deliv, expected), await usable('peer', scenario.peer, expected), await usable('hand-written', scenario.hand, expected)];
  const [deliv, peerRate, hand] = await measure(scenario.transitions, runners, 7);
  rows.push([scenario.name, fmt(deliv), fmt(peerRate), fmt(hand), ratio(deliv, peerRate), ratio(deliv, hand)]);
  toHand.set(scenario.name.slice(0, scenario.name.indexOf(')') + 1), deliv === undefined || hand === undefined ? undefined : deliv / hand);
  console.log(`  ${scenario.name}: deliv ${fmt(deliv)}, peer ${fmt(peerRate)}, hand-written ${fmt(hand)}`);
}
const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
console.log();
for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));

// Issue 19's goals: the engine at 0.6× or more of the hand-written limit of the same work.
console.log();
for (const [label, key] of [['engine, 5 Tasks × 1,000 executions (d1), vs the hand-written limit', '(d1)'], ['engine, the loop in JSONata (e), vs the hand-written limit', '(e)']] as const) {
  const value = toHand.get(key);
  console.log(`${label.padEnd(70)} ${value === undefined ? 'n/a' : `${value.toFixed(2)}×`}   goal ≥ 0.6×: ${value !== undefined && value >= 0.6 ? 'met' : 'NOT met'}`);
}
