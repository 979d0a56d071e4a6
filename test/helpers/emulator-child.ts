import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

export interface ChildEmulator {
  child: ChildProcess;
  endpoint: string;
  resumed: number;
  /** Stops it with SIGTERM (a clean shutdown) and resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * The emulator in a process of its own (test/helpers/emulator-process.ts), for
 * tests that kill it or drive it with other processes (the AWS CLI): a CLI run
 * synchronously against an emulator in the test's own process would block the
 * event loop that has to answer it.
 */
export function spawnEmulator(root: string, timeScale = '1'): Promise<ChildEmulator> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/helpers/emulator-process.ts'), root, timeScale], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+) (\d+)/.exec(out);
      if (ready) {
        resolve({
          child,
          endpoint: ready[1],
          resumed: Number(ready[2]),
          stop: () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}): ${err}`)));
  });
}
