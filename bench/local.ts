/**
 * Emulator speed through the real SDK, persistence on (SQLite WAL):
 *  - executions/s of a 5-state STANDARD machine, started with StartExecution
 *    and followed with DescribeExecution to SUCCEEDED, one at a time and 50 at once;
 *  - the per-request latency against the bare SDK round trip to a trivial
 *    HTTP server (same protocol, empty answer), measured in this same run;
 *  - completed executions/s at 50 in flight against that trivial server
 *    (issue 19): the same client loop (StartExecution, then DescribeExecution
 *    until SUCCEEDED) against the emulator, which really runs and persists
 *    each execution, and against the trivial server, which answers both
 *    actions with fixed AWS-shaped bodies (the execution SUCCEEDED at once, so
 *    two requests each). An execution counts once a DescribeExecution reads
 *    SUCCEEDED with its output; rounds alternate between the two servers;
 *  - the 20,000-iteration Pass+States.MathAdd+Choice loop through
 *    StartSyncExecution on an EXPRESS machine, beside aws-local-stepfunctions
 *    running the same definition in-process.
 * The emulator and the trivial server each run in a child process, as a
 * user's emulator does. Figures are medians of 3 runs (the throughput ratio:
 * of 5 alternating rounds), each printed with the load average it ran under.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { StateMachine } from 'aws-local-stepfunctions';
import { spawnBenchChild, type BenchChild } from './child.js';
import { FIVE_STATES } from './machines.js';

const ROLE = 'arn:aws:iam::123456789012:role/DelivLocalRole';
const RUNS = 3;
const THROUGHPUT_ROUNDS = 5;

// ---------------------------------------------------------------- child processes

function child(args: string[]): Promise<BenchChild> {
  return spawnBenchChild(import.meta.url, args);
}

// ---------------------------------------------------------------- measurements

/** User + system CPU milliseconds a process has used (Linux /proc; clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function client(endpoint: string): SFNClient {
  return new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1, disableHostPrefix: true });
}

/** Median latency (ms) of `count` sequential calls. */
async function latency(count: number, call: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function runToCompletion(sfn: SFNClient, stateMachineArn: string, input: string): Promise<number> {
  let requests = 1;
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
  for (;;) {
    requests += 1;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status === 'SUCCEEDED') {
      // The five states ran: Bulk set the lane (the trivial server's fixed answer carries the same output).
      if ((JSON.parse(described.output ?? '{}') as { lane?: string }).lane !== 'bulk') throw new Error(`execution output ${described.output}`);
      return requests;
    }
    if (described.status !== 'RUNNING') throw new Error(`execution ${described.status}: ${described.error} ${described.cause}`);
  }
}

/** Completed executions per second with `concurrency` clients at once, and the requests they took. */
async function throughput(sfn: SFNClient, stateMachineArn: string, total: number, concurrency: number): Promise<{ perSecond: number; requestsPerExecution: number }> {
  let next = 0;
  let requests = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const n = next++;
        // Awaited first: `requests += await ...` would add to the value read before the await, losing the others' counts.
        const taken = await runToCompletion(sfn, stateMachineArn, JSON.stringify({ order: n, items: [1, 2, 3] }));
        requests += taken;
      }
    }),
  );
  return { perSecond: total / ((performance.now() - start) / 1000), requestsPerExecution: requests / total };
}


const ITERATIONS = 20_000;
const LOOP = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Next: 'Increment' },
    Increment: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.i', NumericLessThan: ITERATIONS, Next: 'Increment' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-local-'));
  const bare = await child(['--bare']);
  const emulator = await child(['--emulator', dir]);
  const bareSfn = client(bare.endpoint);
  const sfn = client(emulator.endpoint);
  try {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'five-states', definition: JSON.stringify(FIVE_STATES), roleArn: ROLE }));
    const express = await sfn.send(new CreateStateMachineCommand({ name: 'loop', definition: JSON.stringify(LOOP), roleArn: ROLE, type: 'EXPRESS' }));
    // Warm-up: JIT, connection pool, SQLite pages.
    await throughput(sfn, stateMachineArn!, 300, 10);
    await latency(200, () => bareSfn.send(new ListStateMachinesCommand({})));

    const bareMs: number[] = [];
    const listMs: number[] = [];
    const startMs: number[] = [];
    const sequential: number[] = [];
    let requestsPerExecution = 0;
    const loads: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      bareMs.push(await latency(500, () => bareSfn.send(new ListStateMachinesCommand({}))));
      listMs.push(await latency(500, () => sfn.send(new ListStateMachinesCommand({}))));
      startMs.push(await latency(300, () => sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"order":1,"items":[1,2,3]}' }))));
      const seq = await throughput(sfn, stateMachineArn!, 500, 1);
      sequential.push(seq.perSecond);
      requestsPerExecution = seq.requestsPerExecution;
      loads.push(os.loadavg()[0]);
    }
    const latencyLoad = median(loads);

    // 50 in flight, the emulator and the trivial server in alternate rounds (which goes first alternates too),
    // so a burst of load from elsewhere falls on both alike; the ratio is each round's, and their median.
    await throughput(bareSfn, stateMachineArn!, 300, 10);
    const concurrent: number[] = [];
    const trivial: number[] = [];
    const ratios: number[] = [];
    const concurrentLoads: number[] = [];
    let requestsAt50 = { emulator: 0, trivial: 0 };
    // CPU milliseconds per execution of each server process and of this client: the part of the ratio the
    // emulator owns, which holds however busy the machine is (the throughput ratio does not: on 2 busy cores
    // the client and the server take turns, so the figure falls toward (client + trivial) / (client + emulator)).
    const cpu = { emulator: [] as number[], trivial: [] as number[], client: [] as number[] };
    const pids = new Map<SFNClient, { pid: number; cpu: number[] }>([
      [sfn, { pid: emulator.process.pid!, cpu: cpu.emulator }],
      [bareSfn, { pid: bare.process.pid!, cpu: cpu.trivial }],
    ]);
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      const order = round % 2 === 0 ? [sfn, bareSfn] : [bareSfn, sfn];
      const results = new Map<SFNClient, { perSecond: number; requestsPerExecution: number }>();
      for (const each of order) {
        const server = pids.get(each)!;
        const before = { server: processCpuMs(server.pid), client: process.cpuUsage() };
        results.set(each, await throughput(each, stateMachineArn!, 2000, 50));
        const client = process.cpuUsage(before.client);
        server.cpu.push((processCpuMs(server.pid) - before.server) / 2000);
        if (each === sfn) cpu.client.push((client.user + client.system) / 1000 / 2000);
      }
      const emulated = results.get(sfn)!;
      const served = results.get(bareSfn)!;
      concurrent.push(emulated.perSecond);
      trivial.push(served.perSecond);
      ratios.push(emulated.perSecond / served.perSecond);
      requestsAt50 = { emulator: emulated.requestsPerExecution, trivial: served.requestsPerExecution };
      concurrentLoads.push(os.loadavg()[0]);
    }

    const emulatorLoop: number[] = [];
    const peerLoop: number[] = [];
    const peer = new StateMachine(LOOP as never, { validationOptions: { checkPaths: false, checkArn: false } } as never);
    for (let run = 0; run < RUNS; run++) {
      let start = performance.now();
      const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn, input: '{}' }));
      emulatorLoop.push(performance.now() - start);
      if (result.status !== 'SUCCEEDED' || JSON.parse(result.output!).i !== ITERATIONS) throw new Error(`loop ended ${result.status}: ${result.cause ?? result.output}`);
      start = performance.now();
      const output = (await peer.run({} as never).result) as { i: number };
      peerLoop.push(performance.now() - start);
      if (output.i !== ITERATIONS) throw new Error('peer loop gave a wrong result');
    }

    const bareLatency = median(bareMs);
    const fmt = (n: number, digits = 0) => n.toFixed(digits);
    console.log('emulator (child process, SQLite WAL, history persisted) through @aws-sdk/client-sfn');
    console.log(`  bare SDK round trip to a trivial HTTP server     ${fmt(bareLatency, 3)} ms`);
    console.log(`  ListStateMachines on the emulator                ${fmt(median(listMs), 3)} ms   ${fmt(median(listMs) / bareLatency, 2)}× bare`);
    console.log(`  StartExecution (5 states, persisted)             ${fmt(median(startMs), 3)} ms   ${fmt(median(startMs) / bareLatency, 2)}× bare`);
    console.log(`  5-state executions to SUCCEEDED, sequential      ${fmt(median(sequential))} /s   (${fmt(requestsPerExecution, 2)} requests each: start + describe)`);
    console.log(`  (load average ${fmt(latencyLoad, 2)} over the figures above)`);
    console.log(`  5-state executions to SUCCEEDED, 50 concurrent   ${fmt(median(concurrent))} /s   target ≥ 500/s: ${median(concurrent) >= 500 ? 'met' : 'NOT met'}`);
    const ratio = median(ratios);
    console.log(`  the same 50-in-flight loop, trivial server       ${fmt(median(trivial))} /s   (fixed answers: ${fmt(requestsAt50.trivial, 2)} requests each; emulator ${fmt(requestsAt50.emulator, 2)})`);
    console.log(
      `  completed executions/s at 50 in flight vs trivial ${fmt(ratio, 2)}×   goal ≥ 0.9×: ${ratio >= 0.9 ? 'met' : 'NOT met'}` +
        `   (${THROUGHPUT_ROUNDS} alternating rounds: ${ratios.map((r) => fmt(r, 2)).join(', ')}; load ${fmt(median(concurrentLoads), 2)})`,
    );
    console.log(
      `    CPU per execution: emulator ${fmt(median(cpu.emulator), 3)} ms, trivial server ${fmt(median(cpu.trivial), 3)} ms, the SDK client ${fmt(median(cpu.client), 3)} ms` +
        ` (on 2 busy cores the ratio tends to ${fmt((median(cpu.client) + median(cpu.trivial)) / (median(cpu.client) + median(cpu.emulator)), 2)}×)`,
    );
    console.log(`loop ×${ITERATIONS.toLocaleString('en-US')} (Pass + States.MathAdd + Choice)`);
    console.log(`  emulator StartSyncExecution (EXPRESS, HTTP)      ${fmt(median(emulatorLoop))} ms`);
    console.log(`  aws-local-stepfunctions in-process               ${fmt(median(peerLoop))} ms   emulator is ${fmt(median(peerLoop) / median(emulatorLoop), 1)}× faster`);
  } finally {
    bareSfn.destroy();
    sfn.destroy();
    bare.process.kill();
    emulator.process.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the trivial server's answers

const TRIVIAL_OUTPUT = '{"order":1,"items":[1,2,3],"received":true,"count":3,"lane":"bulk"}';

/** What the trivial server says to StartExecution and DescribeExecution: the shapes the emulator (and AWS) answer. */
function trivialAnswer(target: string, request: Record<string, string>): string {
  const now = Date.now() / 1000;
  if (target.endsWith('.StartExecution')) {
    const name = request.name ?? crypto.randomUUID();
    return JSON.stringify({ executionArn: `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`, startDate: now });
  }
  const executionArn = request.executionArn;
  return JSON.stringify({
    executionArn,
    stateMachineArn: executionArn.slice(0, executionArn.lastIndexOf(':')).replace(':execution:', ':stateMachine:'),
    name: executionArn.slice(executionArn.lastIndexOf(':') + 1),
    status: 'SUCCEEDED',
    startDate: now - 0.003,
    stopDate: now,
    input: '{"order":1,"items":[1,2,3]}',
    inputDetails: { included: true },
    output: TRIVIAL_OUTPUT,
    outputDetails: { included: true },
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
    redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
  });
}

// ---------------------------------------------------------------- entry

if (process.argv[2] === '--bare') {
  // The trivial baseline: reads the request body and answers fixed AWS-shaped JSON 1.0 bodies: an empty
  // ListStateMachines, and for the throughput loop a StartExecution whose execution has SUCCEEDED at once.
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let body = '{"stateMachines":[]}';
      if (target.endsWith('.StartExecution') || target.endsWith('.DescribeExecution')) body = trivialAnswer(target, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>);
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
      response.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY http://127.0.0.1:${(server.address() as { port: number }).port}\n`));
} else if (process.argv[2] === '--emulator') {
  const { startEmulator } = await import('../src/local/emulator.js');
  const emulator = await startEmulator({ root: process.argv[3], port: 0, timeScale: 1 });
  process.stdout.write(`READY ${emulator.endpoint}\n`);
} else {
  await main();
}
