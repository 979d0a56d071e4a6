/**
 * An emulator in a child process (test/helpers/emulator-process.ts) for tests
 * that kill it, stop it or break its disk: start it, talk to it, kill -9 or
 * SIGTERM it, start it again on the same project.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { endpointOf, readEmulatorInfo } from '../../src/local/daemon.js';
import { BIN, REPO_ROOT } from './cli.js';

export interface EmulatorChild {
  child: ChildProcess;
  endpoint: string;
  resumed: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has gone. */
  exited: Promise<number | string>;
}

export function startEmulatorChild(root: string, timeScale = 1, extraArgs: string[] = []): Promise<EmulatorChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/helpers/emulator-process.ts'), root, String(timeScale), ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /READY (\S+) (\d+)/.exec(out);
      if (ready) resolve({ child, endpoint: ready[1], resumed: Number(ready[2]), stderr: () => err, exited });
    });
    void exited.then((code) => reject(new Error(`emulator exited (${code}): ${err}`)));
  });
}

/**
 * `deliv local start` itself (the built CLI, dist/), as a user runs it: ready
 * once the emulator.json it writes names this process and its port.
 */
export async function startCliEmulator(root: string): Promise<EmulatorChild> {
  const child = spawn(process.execPath, [BIN, 'local', 'start', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  for (let i = 0; i < 400 && child.exitCode === null; i++) {
    const info = readEmulatorInfo(path.join(root, '.deliv'));
    if (info && info.pid === child.pid) return { child, endpoint: endpointOf(info), resumed: Number(/resumed (\d+)/.exec(err)?.[1] ?? 0), stderr: () => err, exited };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`deliv local start did not come up: ${err}`);
}

/** kill -9, and wait until the process is gone. */
export async function crash(emulator: EmulatorChild): Promise<void> {
  emulator.child.kill('SIGKILL');
  await emulator.exited;
}
