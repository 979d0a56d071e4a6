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
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

try {
  timeOnce([bin, 'init', 'shop', '--yes', '--template', 'order-fulfillment'], root);
  const definition = 'statemachines/order-fulfillment.asl.yaml';
  /** Each command with the goal (a multiple of `node -e 0`), where it sets one. */
  const scenarios: Array<{ name: string; args: string[]; goal?: number }> = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'deliv --version', args: [bin, '--version'] },
    { name: 'deliv --help', args: [bin, '--help'] },
    { name: 'deliv init --help', args: [bin, 'init', '--help'] },
    { name: 'deliv validate FILE', args: [bin, 'validate', definition], goal: 3 },
    { name: 'deliv validate (project)', args: [bin, 'validate'] },
    { name: 'deliv ls', args: [bin, 'ls'] },
    { name: 'deliv graph FILE --format svg', args: [bin, 'graph', definition, '--format', 'svg'], goal: 5 },
  ];
  const samples = scenarios.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (const scenario of scenarios) timeOnce(scenario.args); // warm the file cache
  const loadBefore = os.loadavg()[0];
  for (let run = 0; run < RUNS; run += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      const { wall, cpu } = timeOnce(scenario.args);
      samples[index].wall.push(wall);
      samples[index].cpu.push(cpu);
    }
  }
  const wallBase = median(samples[0].wall);
  const cpuBase = median(samples[0].cpu);
  console.log(`runs: ${RUNS} each, interleaved, in a project from deliv init (order-fulfillment); load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after, ${os.cpus().length} cores`);
  console.log(`${''.padEnd(30)} ${'wall (median)'.padStart(28)}   ${'CPU user+sys (median)'.padStart(26)}`);
  for (const [index, scenario] of scenarios.entries()) {
    const wall = median(samples[index].wall);
    const cpu = median(samples[index].cpu);
    const ratio = wall / wallBase;
    const goal = scenario.goal === undefined ? '' : `   goal ≤ ${scenario.goal}× (wall): ${ratio <= scenario.goal ? 'met' : 'NOT met'}`;
    console.log(`${scenario.name.padEnd(30)} ${wall.toFixed(1).padStart(8)} ms ${ratio.toFixed(2).padStart(6)}× node -e 0   ${cpu.toFixed(1).padStart(8)} ms ${(cpu / cpuBase).toFixed(2).padStart(6)}×${goal}`);
  }
} finally {
  // `deliv ls` started the project's emulator in the background (as it does for a user): stop it.
  spawnSync(process.execPath, [bin, 'local', 'stop'], { env, cwd: project, stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
}
