/**
 * What `deliv local start|stop|status` and `deliv task ...` do, kept out of
 * the command files so those stay thin (flags → one call → render).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { TargetFlags } from '../aws/target.js';
import type { Project } from '../project/config.js';
import { DelivError, UsageError, type ErrorCode } from '../ui/errors.js';
import { claimDataDir, endpointOf, readEmulatorInfo, removeEmulatorInfo, startDetached, stopEmulatorProcess, writeEmulatorInfo } from './daemon.js';
import { emulatorPaths } from './paths.js';
import { formatDuration } from '../ui/duration.js';
import { RESUME_LIMIT, type QuarantinedExecution } from './quarantine.js';

export interface Output {
  say(line: string): void;
  note(line: string): void;
}

export interface StartFlags {
  port: number;
  dataDir?: string;
  timeScale: number;
  detach: boolean;
  host: string;
  verbose: boolean;
}

export async function runLocalStart(flags: StartFlags, out: Output): Promise<unknown> {
  if (!Number.isFinite(flags.timeScale) || flags.timeScale < 0) {
    throw new UsageError(`--time-scale must be a number ≥ 0, not ${flags.timeScale}`, { hint: '1 = real time, 0 = waits end at once' });
  }
  const { root, dataDir } = emulatorPaths(flags.dataDir);
  if (flags.detach) {
    claimDataDir(dataDir);
    const args = ['--port', String(flags.port), '--time-scale', String(flags.timeScale), '--host', flags.host];
    if (flags.verbose) args.push('--verbose');
    const info = await startDetached({ root, dataDir, args });
    out.say(`emulator running in the background at ${endpointOf(info)} (pid ${info.pid}, data ${path.relative(process.cwd(), dataDir) || '.'})`);
    out.say('stop it with: deliv local stop');
    return { ...info, endpoint: endpointOf(info) };
  }
  claimDataDir(dataDir);
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    out.note(`warning: binding ${flags.host} exposes the emulator (no authentication) to your network`);
  }
  const { startEmulator } = await import('./emulator.js');
  let emulator;
  try {
    emulator = await startEmulator({
      root,
      dataDir,
      port: flags.port,
      host: flags.host,
      timeScale: flags.timeScale,
      log: flags.verbose ? (line) => out.note(`${new Date().toISOString()} ${line}`) : undefined,
    });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new DelivError(`port ${flags.port} is already in use on ${flags.host}`, { code: 'PORT_IN_USE', hint: 'pass another --port (0 picks a free one)' });
    if (err.code === 'SQLITE_BUSY' || /database is locked/.test(err.message)) {
      throw new DelivError(`another process holds ${dataDir}`, { code: 'EMULATOR_ALREADY_RUNNING', hint: 'stop the other emulator (`deliv local stop`) or pass another --data-dir' });
    }
    throw error;
  }
  const info = { pid: process.pid, port: emulator.port, host: flags.host, dataDir, startedAt: new Date(emulator.context.startedAt).toISOString() };
  writeEmulatorInfo(info);
  out.note(
    `deliv local emulator listening on ${emulator.endpoint} (data ${dataDir}${flags.timeScale !== 1 ? `, time scale ${flags.timeScale}` : ''})` +
      (emulator.resumed > 0 ? `; resumed ${emulator.resumed} running execution(s)` : ''),
  );
  if (emulator.quarantined > 0) {
    out.note(`quarantined ${emulator.quarantined} execution(s) whose resume crashed or hung the emulator ${RESUME_LIMIT} times in a row (failed with States.Runtime; see deliv local status)`);
  }
  if (!process.env.DELIV_DETACHED) out.note('press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      out.note(`${signal}: shutting down`);
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  await emulator.stop();
  removeEmulatorInfo(dataDir);
  // Everything is committed: whatever a user's handler left scheduled must not keep the process
  // alive until `deliv local stop` kills it (unref'd, so it never delays an exit that happens anyway).
  setTimeout(() => process.exit(process.exitCode ?? 0), 1000).unref();
  return info;
}

export async function runLocalStop(flags: { dataDir?: string }, out: Output): Promise<unknown> {
  const { dataDir } = emulatorPaths(flags.dataDir);
  const info = readEmulatorInfo(dataDir);
  if (!info) {
    out.say(`no emulator is running for ${dataDir}`);
    return { stopped: false, dataDir };
  }
  const how = await stopEmulatorProcess(info);
  out.say(`emulator (pid ${info.pid}) ${how === 'stopped' ? 'stopped' : 'did not stop in time and was killed'}`);
  return { stopped: true, pid: info.pid, dataDir, how };
}

/**
 * `deliv local backup`: one consistent file holding the whole store, made by
 * the emulator serving the data dir when one runs (it holds the store's lock),
 * else straight from the stopped store.
 */
export async function runLocalBackup(flags: { dataDir?: string }, out: Output): Promise<{ file: string; dataDir: string; running: boolean }> {
  const { dataDir } = emulatorPaths(flags.dataDir);
  const info = readEmulatorInfo(dataDir);
  let file: string;
  if (info) {
    const response = await fetch(`${endpointOf(info)}/deliv/backup`, { method: 'POST', signal: AbortSignal.timeout(120_000) });
    const body = (await response.json()) as { file?: string; message?: string };
    if (!response.ok || !body.file) throw new DelivError(`the emulator (pid ${info.pid}) could not back up ${dataDir}: ${body.message ?? response.status}`);
    file = body.file;
  } else {
    const { DATABASE_FILE, Store, backupPath } = await import('./store.js');
    if (!existsSync(path.join(dataDir, DATABASE_FILE))) throw new DelivError(`there is no store in ${dataDir} to back up`, { hint: 'deliv local start creates it' });
    const store = new Store(dataDir);
    try {
      file = store.backup(backupPath(dataDir, 'backup'));
    } finally {
      store.close();
    }
  }
  out.say(`backed up ${dataDir} to ${file}`);
  return { file, dataDir, running: Boolean(info) };
}

export async function runLocalStatus(flags: { dataDir?: string }, out: Output): Promise<unknown> {
  const { dataDir } = emulatorPaths(flags.dataDir);
  const info = readEmulatorInfo(dataDir);
  if (!info) {
    out.say(`not running (data dir ${dataDir}); start it with: deliv local start`);
    return { running: false, dataDir };
  }
  const endpoint = endpointOf(info);
  let status: { machines: number; runningExecutions: number; executions: number; uptimeSeconds: number; quarantined?: QuarantinedExecution[] };
  try {
    const response = await fetch(`${endpoint}/deliv/status`, { signal: AbortSignal.timeout(5000) });
    status = (await response.json()) as typeof status;
  } catch (error) {
    throw new DelivError(`the emulator (pid ${info.pid}) does not answer on ${endpoint}: ${(error as Error).message}`, {
      code: 'EMULATOR_NOT_RUNNING',
      hint: 'stop it with `deliv local stop` and start it again',
    });
  }
  const result = { running: true, pid: info.pid, endpoint, port: info.port, host: info.host, dataDir, startedAt: info.startedAt, ...status };
  out.say(`running      pid ${info.pid}`);
  out.say(`endpoint     ${endpoint}`);
  out.say(`data dir     ${dataDir}`);
  out.say(`uptime       ${formatDuration(status.uptimeSeconds * 1000)}`);
  out.say(`machines     ${status.machines}`);
  out.say(`executions   ${status.runningExecutions} running, ${status.executions} in total`);
  const quarantined = status.quarantined ?? [];
  if (quarantined.length > 0) {
    out.say(`quarantined  ${quarantined.length} execution(s) failed at start-up because resuming them crashed or hung the emulator:`);
    for (const entry of quarantined) out.say(`  ${entry.executionArn}  (${entry.attempts} times, ${entry.quarantinedAt})`);
  }
  return result;
}


export interface TaskConnectionFlags extends TargetFlags {
  /** An emulator or Step Functions endpoint, instead of a target. */
  endpoint?: string;
}

export interface TaskConnection {
  sfn: SFNClient;
  /** Where the tasks are, for messages: the endpoint, or `target NAME`. */
  where: string;
  /** The emulator's endpoint when the tasks are local (its handler sandbox, its waiting-token list). */
  localEndpoint?: string;
  close(): void;
}

/**
 * Where every `deliv task` command talks: --endpoint as given, else the
 * target as every other command resolves it (`connect`: the project's
 * emulator, started when it is not running, or an AWS target), so a token
 * of a prod execution is answered with `--target prod`.
 */
/** `project`: the deliv.yaml to resolve the target in (default: the one of the working directory). */
export async function taskConnection(flags: TaskConnectionFlags, note: (text: string) => void, project?: Project): Promise<TaskConnection> {
  if (flags.endpoint) {
    const { createSfnClient } = await import('../aws/clients.js');
    const sfn = await createSfnClient({ name: 'local', local: true, endpoint: flags.endpoint });
    return { sfn, where: flags.endpoint, localEndpoint: flags.endpoint, close: () => sfn.destroy() };
  }
  const { connect } = await import('./connect.js');
  const { sfn, target } = await connect(project ?? (await import('../project/config.js')).tryLoadProject(), flags, note);
  const where = target.local ? (target.endpoint ?? 'the local emulator') : `target ${target.name}`;
  return { sfn, where, localEndpoint: target.local ? target.endpoint : undefined, close: () => sfn.destroy() };
}

export interface WaitingTask {
  taskToken: string;
  executionArn: string;
  stateName: string;
  waitingSince: string;
  lastHeartbeat?: string;
}

/** The tokens the emulator holds (GET /deliv/tasks): Step Functions itself has no API that lists them. */
export async function listWaitingTasks(flags: TaskConnectionFlags, note: (text: string) => void, project?: Project): Promise<WaitingTask[]> {
  const connection = await taskConnection(flags, note, project);
  connection.close();
  const endpoint = connection.localEndpoint;
  if (!endpoint) {
    throw new UsageError(`deliv task list reads the local emulator's waiting tokens; ${connection.where} is Step Functions itself, which has no API that lists them`, {
      hint: 'the token reaches a worker in the task\'s input ($$.Task.Token); answer it with `deliv task success TOKEN --target ...`',
    });
  }
  const response = await fetch(`${endpoint}/deliv/tasks`, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => {
    throw new DelivError(`cannot reach the emulator at ${endpoint}: ${error.message}`, { code: 'EMULATOR_NOT_RUNNING', hint: 'is it running? `deliv local status`' });
  });
  if (!response.ok) throw new DelivError(`${endpoint} is not a deliv emulator (GET /deliv/tasks answered ${response.status})`);
  return ((await response.json()) as { tasks: WaitingTask[] }).tasks;
}

/** SendTaskSuccess / Failure / Heartbeat through the SDK, as a worker would send them. */
export type TaskAnswer = { kind: 'success'; token: string; output: string } | { kind: 'failure'; token: string; error?: string; cause?: string } | { kind: 'heartbeat'; token: string };

export async function answerTask(flags: TaskConnectionFlags, answer: TaskAnswer, note: (text: string) => void): Promise<{ taskToken: string; answered: TaskAnswer['kind'] }> {
  const sdk = await import('@aws-sdk/client-sfn');
  const { sfn, close } = await taskConnection(flags, note);
  try {
    if (answer.kind === 'success') await sfn.send(new sdk.SendTaskSuccessCommand({ taskToken: answer.token, output: answer.output }));
    else if (answer.kind === 'failure') await sfn.send(new sdk.SendTaskFailureCommand({ taskToken: answer.token, error: answer.error, cause: answer.cause }));
    else await sfn.send(new sdk.SendTaskHeartbeatCommand({ taskToken: answer.token }));
    return { taskToken: answer.token, answered: answer.kind };
  } catch (error) {
    const name = (error as Error).name;
    const hints: Record<string, string> = {
      TaskDoesNotExist: 'list the waiting tokens with `deliv task list`',
      TaskTimedOut: 'the task already ended (answered, timed out, or its execution stopped)',
      InvalidOutput: '--output must be JSON, e.g. --output \'{"ok":true}\'',
      InvalidToken: 'pass the token exactly as `deliv task list` shows it',
    };
    const codes: Record<string, ErrorCode> = { TaskDoesNotExist: 'TASK_NOT_FOUND', TaskTimedOut: 'TASK_NOT_FOUND', InvalidOutput: 'INVALID_INPUT', InvalidToken: 'INVALID_TOKEN' };
    throw new DelivError(`${name}: ${(error as Error).message}`, { hint: hints[name], exitCode: name === 'InvalidOutput' || name === 'InvalidToken' ? 2 : 1, code: codes[name] });
  } finally {
    close();
  }
}
