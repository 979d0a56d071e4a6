import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { endpointOf, readEmulatorInfo } from '../../src/local/daemon.js';
import { BIN, REPO_ROOT } from './cli.js';

export interface ChildEmulator {
  child: ChildProcess;
  endpoint: string;
  resumed: number;
  /** Stops it with SIGTERM (a clean shutdown) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Resolves with the exit code (or signal name) once the process has gone. */
  exited: Promise<number | string>;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
}

function watch(child: ChildProcess): { exited: Promise<number | string>; stderr(): string; stop(): Promise<void> } {
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    exited,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
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
  const watched = watch(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+) (\d+)/.exec(out);
      if (ready) resolve({ child, endpoint: ready[1], resumed: Number(ready[2]), ...watched });
    });
    void watched.exited.then((code) => reject(new Error(`emulator exited (${code}): ${watched.stderr()}`)));
  });
}

/**
 * `deliv local start` itself (the built CLI, dist/), as a user runs it: ready
 * once the emulator.json it writes names this process and its port.
 */
export async function startCliEmulator(root: string): Promise<ChildEmulator> {
  const child = spawn(process.execPath, [BIN, 'local', 'start', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  const watched = watch(child);
  for (let i = 0; i < 400 && child.exitCode === null; i++) {
    const info = readEmulatorInfo(path.join(root, '.deliv'));
    if (info && info.pid === child.pid) return { child, endpoint: endpointOf(info), resumed: Number(/resumed (\d+)/.exec(watched.stderr())?.[1] ?? 0), ...watched };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`deliv local start did not come up: ${watched.stderr()}`);
}

/** kill -9, and wait until the process is gone. */
export async function crash(emulator: ChildEmulator): Promise<void> {
  emulator.child.kill('SIGKILL');
  await emulator.exited;
}
