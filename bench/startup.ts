/**
 * Start-up cost of the CLI (issue 19): wall time of `deliv` commands against
 * `node -e 0` (the floor any Node CLI pays), medians of interleaved runs so
 * that machine noise hits all alike. Needs a build (`npm run build`): it runs
 * bin/run.js as users do, in a project made by `deliv init` (nothing deployed;
 * the first `deliv ls` starts its emulator, as it would for a user) and on that
 * project's definition file.
 *
 * CPU (user + system, every thread, as the process itself counts it when it
 * exits) is printed beside the wall time: on a loaded machine the wall time
 * is mostly waiting for a core, and CPU is the figure that says what changed.
 *
 * Both still rise with the load (a shared core's caches, frequency), so where
 * valgrind is installed the commands with a goal are also counted in
 * instructions by callgrind: the same count for the same binary and inputs
 * whatever else the machine does (±1 % here), of every thread, user space only
 * (no kernel time, no memory stalls: the CPU ratio is the one users feel, the
 * instruction ratio the one that can be compared between runs). Each goal is
 * printed with all three verdicts and the load average.
 *
 * `deliv graph` keeps each layout it makes (src/graph/layout.ts), so a drawing
 * made before, as in the goal's row, does not run elkjs; the row after it draws
 * with no layout kept (they are deleted before each of its runs), what the
 * first drawing of a changed definition costs.
 *
 * BENCH_STARTUP_RUNS (15) sets the timed runs, BENCH_STARTUP_INSTRUCTION_RUNS
 * (3; 0 to skip callgrind, which runs a command about 50× slower) the counted
 * ones, BENCH_STARTUP_GOALS_ONLY=1 times only node -e 0 and the goal commands.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir } from '../src/code-cache.js';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const INSTRUCTION_RUNS = Number(process.env.BENCH_STARTUP_INSTRUCTION_RUNS ?? 3);
const GOALS_ONLY = process.env.BENCH_STARTUP_GOALS_ONLY === '1';
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/run.js');
const env = { ...process.env, NO_COLOR: '1' };
const root = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-startup-'));
const project = path.join(root, 'shop');

/** Reports the process's own CPU time when it exits, in a file named by the environment; the same for every scenario. */
const CPU_REPORTER = `data:text/javascript,${encodeURIComponent("import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.DELIV_BENCH_CPU_FILE, String((u.user + u.system) / 1000)); });")}`;
const cpuFile = path.join(root, 'cpu');

function timeOnce(args: string[], cwd = project): { wall: number; cpu: number } {
  closeSync(openSync(cpuFile, 'w'));
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', CPU_REPORTER, ...args], { env: { ...env, DELIV_BENCH_CPU_FILE: cpuFile }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

/** User-space instructions of one run, every thread (callgrind's "Collected" total). */
function instructionsOnce(args: string[], cwd = project): number {
  const result = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...args], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const collected = /Collected\s*:\s*(\d+)/.exec(result.stderr);
  if (result.status !== 0 || !collected) throw new Error(`valgrind ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-400)}`);
  return Number(collected[1]);
}

const hasValgrind = () => spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

try {
  timeOnce([bin, 'init', 'shop', '--yes', '--template', 'order-fulfillment'], root);
  const definition = 'statemachines/order-fulfillment.asl.yaml';
  /** Each command with the goal (a multiple of `node -e 0`), where it sets one. */
  const forgetLayouts = () => {
    const dir = codeCacheDir();
    for (const name of readdirSync(dir)) if (name.startsWith('layout-')) rmSync(path.join(dir, name), { force: true });
  };
  const all: Array<{ name: string; args: string[]; goal?: number; counted?: boolean; before?: () => void }> = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'deliv --version', args: [bin, '--version'] },
    { name: 'deliv --help', args: [bin, '--help'] },
    { name: 'deliv init --help', args: [bin, 'init', '--help'] },
    { name: 'deliv validate FILE', args: [bin, 'validate', definition], goal: 3 },
    { name: 'deliv validate (project)', args: [bin, 'validate'] },
    { name: 'deliv ls', args: [bin, 'ls'] },
    { name: 'deliv graph FILE --format svg', args: [bin, 'graph', definition, '--format', 'svg'], goal: 5 },
    { name: '  the same, no layout kept', args: [bin, 'graph', definition, '--format', 'svg'], counted: true, before: forgetLayouts },
  ];
  const scenarios = GOALS_ONLY ? all.filter((scenario, index) => index === 0 || scenario.goal !== undefined || scenario.counted) : all;
  const samples = scenarios.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  // Warms the file cache, and writes the V8 code caches (elkjs, the asl kit) that every later run reads.
  for (const scenario of scenarios) {
    scenario.before?.();
    timeOnce(scenario.args);
  }
  const loadBefore = os.loadavg()[0];
  for (let run = 0; run < RUNS; run += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      scenario.before?.();
      const { wall, cpu } = timeOnce(scenario.args);
      samples[index].wall.push(wall);
      samples[index].cpu.push(cpu);
    }
  }
  const loadAfter = os.loadavg()[0];
  const wallBase = median(samples[0].wall);
  const cpuBase = median(samples[0].cpu);
  console.log(`runs: ${RUNS} each, interleaved, in a project from deliv init (order-fulfillment); load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, ${os.cpus().length} cores`);
  console.log(`${''.padEnd(30)} ${'wall (median)'.padStart(28)}   ${'CPU user+sys (median)'.padStart(26)}`);
  for (const [index, scenario] of scenarios.entries()) {
    const wall = median(samples[index].wall);
    const cpu = median(samples[index].cpu);
    console.log(`${scenario.name.padEnd(30)} ${wall.toFixed(1).padStart(8)} ms ${(wall / wallBase).toFixed(2).padStart(6)}× node -e 0   ${cpu.toFixed(1).padStart(8)} ms ${(cpu / cpuBase).toFixed(2).padStart(6)}×`);
  }

  // The goal commands and the baseline, counted in instructions (not timed: any load leaves the count alone).
  const counted = new Map<string, number>();
  if (INSTRUCTION_RUNS > 0 && hasValgrind()) {
    const goals = scenarios.filter((scenario, index) => index === 0 || scenario.goal !== undefined || scenario.counted);
    const counts = goals.map(() => [] as number[]);
    for (let run = 0; run < INSTRUCTION_RUNS; run += 1) {
      for (const [index, scenario] of goals.entries()) {
        scenario.before?.();
        counts[index].push(instructionsOnce(scenario.args));
      }
    }
    console.log(`\ninstructions (valgrind --tool=callgrind, user space, every thread; median of ${INSTRUCTION_RUNS}, spread in brackets)`);
    for (const [index, scenario] of goals.entries()) {
      const value = median(counts[index]);
      counted.set(scenario.name, value);
      const spread = ((Math.max(...counts[index]) - Math.min(...counts[index])) / value) * 100;
      console.log(`${scenario.name.padEnd(30)} ${(value / 1e6).toFixed(0).padStart(8)} M  ${(value / counted.get('node -e 0')!).toFixed(2).padStart(6)}× node -e 0   (spread ${spread.toFixed(1)} %)`);
    }
  } else {
    console.log(`\ninstructions: not counted (${INSTRUCTION_RUNS > 0 ? 'no valgrind on this machine: apt-get install valgrind' : 'BENCH_STARTUP_INSTRUCTION_RUNS=0'})`);
  }

  console.log();
  for (const [index, scenario] of scenarios.entries()) {
    if (scenario.goal === undefined) continue;
    const verdict = (ratio: number) => `${ratio.toFixed(2)}× ${ratio <= scenario.goal! ? 'met' : 'NOT met'}`;
    const instructions = counted.get(scenario.name);
    const parts = [
      instructions === undefined ? 'instructions not counted' : `instructions ${verdict(instructions / counted.get('node -e 0')!)}`,
      `CPU ${verdict(median(samples[index].cpu) / cpuBase)}`,
      `wall ${verdict(median(samples[index].wall) / wallBase)}`,
    ];
    console.log(`goal: ${scenario.name} ≤ ${scenario.goal}× node -e 0: ${parts.join('; ')} (load average ${loadAfter.toFixed(1)}: wall and CPU rise with the load, instructions do not)`);
  }
} finally {
  // `deliv ls` started the project's emulator in the background (as it does for a user): stop it.
  if (!GOALS_ONLY) spawnSync(process.execPath, [bin, 'local', 'stop'], { env, cwd: project, stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
}
