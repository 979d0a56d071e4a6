/**
 * `npm run bench`: runs every benchmark in bench/ in its own process (so one
 * scenario's garbage and JIT state never colour the next), one after another,
 * printing the machine first. Pass names to run only some: `npm run bench -- engine`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
  .sort();

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()}-${os.arch()}`);
console.log('figures are medians of repeated runs; ratios compare runs made in this same process run\n');

let failed = 0;
for (const file of files) {
  console.log(`== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
  console.log();
}
process.exit(failed === 0 ? 0 : 1);
