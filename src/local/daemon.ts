/**
 * The emulator as a process: `<dataDir>/emulator.json` says which process
 * serves a data dir and where (PREAMBLE decision 5). A second emulator on the
 * same data dir is refused; a file left by a crashed one is detected (its pid
 * is gone) and removed.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DelivError } from '../ui/errors.js';

export const STATE_FILE = 'emulator.json';
export const LOG_FILE = 'emulator.log';

export interface EmulatorInfo {
  pid: number;
  port: number;
  host: string;
  dataDir: string;
  startedAt: string;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet (a zombie) still takes signals, but never serves again.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The live emulator of a data dir, if any; a stale state file (dead pid) is removed. */
export function readEmulatorInfo(dataDir: string): EmulatorInfo | undefined {
  const file = path.join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  let info: EmulatorInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as EmulatorInfo;
  } catch {
    rmSync(file, { force: true });
    return undefined;
  }
  if (!Number.isInteger(info.pid) || !isAlive(info.pid)) {
    rmSync(file, { force: true });
    return undefined;
  }
  return info;
}

/** Claims the data dir for this process, or explains who holds it. */
export function claimDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const running = readEmulatorInfo(dataDir);
  if (running && running.pid !== process.pid) {
    throw new DelivError(`an emulator (pid ${running.pid}) already serves ${dataDir} on port ${running.port}`, {
      code: 'EMULATOR_ALREADY_RUNNING',
      hint: 'stop it with `deliv local stop`, or pass another --data-dir',
    });
  }
}

export function writeEmulatorInfo(info: EmulatorInfo): void {
  const file = path.join(info.dataDir, STATE_FILE);
  writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
  // A rename is atomic: readers never see half a file.
  renameSync(`${file}.${process.pid}.tmp`, file);
}

export function removeEmulatorInfo(dataDir: string, pid = process.pid): void {
  const file = path.join(dataDir, STATE_FILE);
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as EmulatorInfo;
    if (info.pid === pid) rmSync(file, { force: true });
  } catch {
    // nothing to remove
  }
}

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

/** Starts `deliv local start` in the background and resolves once it serves requests. */
export async function startDetached(options: { root: string; dataDir: string; args: string[]; timeoutMs?: number }): Promise<EmulatorInfo> {
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = path.join(options.dataDir, LOG_FILE);
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [BIN, 'local', 'start', '--data-dir', options.dataDir, ...options.args], {
    cwd: options.root,
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, DELIV_DETACHED: '1' },
  });
  closeSync(out);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    const info = readEmulatorInfo(options.dataDir);
    if (info && info.pid === child.pid && (await answers(info))) return info;
    if (exited !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('\n') : '';
  throw new DelivError(`the emulator did not start${exited !== null ? ` (exit code ${exited})` : ''}${log ? `:\n${log}` : ''}`, {
    code: 'EMULATOR_START_FAILED',
    hint: `see ${logFile}`,
  });
}

/** Whether the emulator described answers on its port. */
export async function answers(info: EmulatorInfo): Promise<boolean> {
  try {
    const response = await fetch(`${endpointOf(info)}/deliv/status`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

export function endpointOf(info: EmulatorInfo): string {
  const host = info.host === '0.0.0.0' || info.host === '::' ? '127.0.0.1' : info.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
}

/** SIGTERM, then wait for the process to go (SIGKILL after the grace period). */
export async function stopEmulatorProcess(info: EmulatorInfo, graceMs = 10_000): Promise<'stopped' | 'killed'> {
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    removeEmulatorInfo(info.dataDir, info.pid);
    return 'stopped';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(info.pid)) {
      removeEmulatorInfo(info.dataDir, info.pid);
      return 'stopped';
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(info.pid, 'SIGKILL');
  removeEmulatorInfo(info.dataDir, info.pid);
  return 'killed';
}
