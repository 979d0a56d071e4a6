/**
 * Start-up cost of the CLI: `deliv --help` wall time against `node -e 0` (the floor
 * any Node CLI pays), medians of interleaved runs so that machine noise hits both alike.
 * Needs a build (`npm run build`): it runs bin/run.js as users do.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = 15;
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/run.js');
const env = { ...process.env, NO_COLOR: '1' };

function timeOnce(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const scenarios: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'deliv --help': [bin, '--help'],
  'deliv --version': [bin, '--version'],
  'deliv init --help': [bin, 'init', '--help'],
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
for (const args of Object.values(scenarios)) timeOnce(args); // warm the file cache
for (let run = 0; run < RUNS; run += 1) {
  for (const [name, args] of Object.entries(scenarios)) samples[name].push(timeOnce(args));
}

const baseline = median(samples['node -e 0']);
console.log(`runs: ${RUNS} each, interleaved`);
for (const [name, values] of Object.entries(samples)) {
  const value = median(values);
  console.log(`${name.padEnd(20)} median ${value.toFixed(1).padStart(7)} ms   ${(value / baseline).toFixed(2)}× node -e 0   (+${(value - baseline).toFixed(1)} ms)`);
}
