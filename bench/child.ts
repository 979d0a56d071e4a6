/** Benches that measure a server across a process boundary start it through this one launcher. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchChild {
  process: ChildProcess;
  endpoint: string;
}

/**
 * Runs the bench module `moduleUrl` again in a child process with `args`, and
 * resolves once it prints `READY <endpoint>` (the child's own mode writes it).
 */
export function spawnBenchChild(moduleUrl: string, args: string[], label = args[0]): Promise<BenchChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(moduleUrl), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) resolve({ process: proc, endpoint: ready[1] });
    });
    proc.once('exit', (code) => reject(new Error(`${label} exited with ${code}`)));
  });
}
