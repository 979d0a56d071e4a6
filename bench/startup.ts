/**
 * Start-up cost of the CLI (issue 19): wall time of `deliv` commands against
 * `node -e 0` (the floor any Node CLI pays), medians of interleaved runs so
 * that machine noise hits all alike. Needs a build (`npm run build`): it runs
 * bin/run.js as users do, in a project made by `deliv init` (nothing running,
 * nothing deployed) and on that project's definition file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/run.js');
const env = { ...process.env, NO_COLOR: '1' };
const root = mkdtempSync(path.join(os.tmpdir(), 'deliv-bench-startup-'));
const project = path.join(root, 'shop');

function timeOnce(args: string[], cwd = project): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
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
  const samples = scenarios.map(() => [] as number[]);
  for (const scenario of scenarios) timeOnce(scenario.args); // warm the file cache
  for (let run = 0; run < RUNS; run += 1) {
    for (const [index, scenario] of scenarios.entries()) samples[index].push(timeOnce(scenario.args));
  }
  const baseline = median(samples[0]);
  console.log(`runs: ${RUNS} each, interleaved, in a project from deliv init (order-fulfillment)`);
  for (const [index, scenario] of scenarios.entries()) {
    const value = median(samples[index]);
    const ratio = value / baseline;
    const goal = scenario.goal === undefined ? '' : `   goal ≤ ${scenario.goal}×: ${ratio <= scenario.goal ? 'met' : 'NOT met'}`;
    console.log(`${scenario.name.padEnd(30)} median ${value.toFixed(1).padStart(7)} ms   ${ratio.toFixed(2)}× node -e 0   (+${(value - baseline).toFixed(1)} ms)${goal}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
