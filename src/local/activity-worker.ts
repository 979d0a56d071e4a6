/**
 * `deliv task work`: an activity worker in the terminal. It long-polls
 * GetActivityTask for one activity, runs a project handler on each task's
 * input (in the emulator's handler sandbox: a worker thread, its timeout, the
 * SDK pointed at the emulator), beats the task's heart while the handler runs,
 * and answers with SendTaskSuccess or SendTaskFailure, as an AWS worker does.
 */
import path from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { JsonValue } from '../asl/types.js';
import { TaskFailure } from '../engine/types.js';
import type { FunctionConfig } from '../project/config.js';
import { UsageError } from '../ui/errors.js';
import { notKnownError } from '../ui/suggest.js';
import { emulatorPaths } from './paths.js';

export interface WorkOptions {
  /** The activity's name or ARN. */
  activity: string;
  /** Step Functions of the target (the emulator or AWS); the caller owns it. */
  sfn: SFNClient;
  /** Where the activities are, for a "not found" message: `the activities of target prod`. */
  where?: string;
  /** The emulator's endpoint on the local target: the handler's SDK is pointed at it. Absent on AWS. */
  localEndpoint?: string;
  /** A deliv.yaml function whose handler answers the tasks... */
  functionName?: string;
  /** ...or a handler module of the project (exporting `handler`). */
  handler?: string;
  workerName?: string;
  /** Stop after this many tasks (0: until interrupted). */
  maxTasks: number;
  /** Seconds between SendTaskHeartbeat calls while a handler runs. */
  heartbeatSeconds: number;
  signal: AbortSignal;
  /** One line per task as it ends. */
  log(line: string): void;
}

export interface WorkedTask {
  status: 'succeeded' | 'failed';
  input: JsonValue;
  output?: JsonValue;
  error?: string;
  cause?: string;
  durationMs: number;
}

export interface WorkResult {
  activityArn: string;
  workerName: string;
  tasks: WorkedTask[];
}

/** The activity's ARN: as given, or found by name with ListActivities (locally and on AWS alike). */
async function activityArnOf(sfn: SFNClient, activity: string, where?: string): Promise<string> {
  if (activity.startsWith('arn:')) return activity;
  const { ListActivitiesCommand } = await import('@aws-sdk/client-sfn');
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListActivitiesCommand({ nextToken }));
    for (const item of page.activities ?? []) {
      if (item.name === activity) return item.activityArn!;
      names.push(item.name!);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  throw notKnownError('activity', activity, names, where ?? 'the activities of the target', 'create it (CreateActivity) or deploy the machine that uses it first');
}

/** The handler that answers the tasks: a deliv.yaml function, or a module of the project. */
async function handlerOf(options: WorkOptions, root: string): Promise<{ name: string; config: FunctionConfig }> {
  if (options.handler) return { name: path.basename(options.handler).replace(/\.[^.]+$/, ''), config: { handler: options.handler } };
  const { tryLoadProject } = await import('../project/config.js');
  const functions = tryLoadProject(root)?.config.functions ?? {};
  const name = options.functionName ?? options.activity.split(':').pop()!;
  const config = functions[name];
  if (!config) {
    const known = Object.keys(functions);
    throw new UsageError(`no handler for the activity: deliv.yaml has no function ${name}`, {
      code: 'FUNCTION_NOT_FOUND',
      hint: `pass --handler FILE (a module exporting handler) or --function NAME${known.length ? ` (functions: ${known.join(', ')})` : ''}`,
    });
  }
  return { name, config };
}

/** Polls and answers tasks until `maxTasks` are done or the signal aborts (Ctrl-C). */
export async function workActivity(options: WorkOptions): Promise<WorkResult> {
  const sdk = await import('@aws-sdk/client-sfn');
  const { LambdaHost } = await import('./lambda.js');
  const { root, dataDir } = emulatorPaths();
  const handler = await handlerOf(options, root);
  const sfn = options.sfn;
  const activityArn = await activityArnOf(sfn, options.activity, options.where);
  const [, , , region, account] = activityArn.split(':');
  // On AWS the handler's SDK keeps the standard chain (no endpoint override), as the worker's own calls do.
  const host = new LambdaHost(root, path.join(dataDir, 'cache', 'handlers'), { region, account }, () => options.localEndpoint ?? '');
  const workerName = options.workerName ?? `deliv-${process.pid}`;
  const tasks: WorkedTask[] = [];
  try {
    while (!options.signal.aborted && (options.maxTasks === 0 || tasks.length < options.maxTasks)) {
      let polled: { taskToken?: string; input?: string };
      try {
        // A long poll (up to 60 s): an empty answer just means no task came.
        polled = await sfn.send(new sdk.GetActivityTaskCommand({ activityArn, workerName }), { abortSignal: options.signal });
      } catch (error) {
        if (options.signal.aborted) break;
        throw error;
      }
      if (!polled.taskToken) continue;
      const taskToken = polled.taskToken;
      const input = JSON.parse(polled.input ?? 'null') as JsonValue;
      const began = performance.now();
      const beats = setInterval(() => {
        sfn.send(new sdk.SendTaskHeartbeatCommand({ taskToken })).catch(() => undefined);
      }, options.heartbeatSeconds * 1000);
      let task: WorkedTask;
      try {
        const output = await host.invoke(handler.name, handler.config, input, options.signal);
        await sfn.send(new sdk.SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? null) }));
        task = { status: 'succeeded', input, output, durationMs: performance.now() - began };
      } catch (error) {
        // Interrupted mid-task: the task is left to its timeout (or to another worker after a restart), not failed.
        if (options.signal.aborted) break;
        if (error instanceof Error && /^(TaskTimedOut|TaskDoesNotExist|InvalidToken)$/.test(error.name)) {
          // The task ended while the handler ran (its heartbeat or timeout passed, or its execution stopped): nobody to answer.
          task = { status: 'failed', input, error: error.name, cause: error.message, durationMs: performance.now() - began };
        } else {
          const failure = error instanceof TaskFailure ? error : new TaskFailure((error as Error)?.name ?? 'Error', (error as Error)?.message ?? String(error));
          await sfn.send(new sdk.SendTaskFailureCommand({ taskToken, error: failure.error.slice(0, 256), cause: failure.cause?.slice(0, 32768) })).catch(() => undefined);
          task = { status: 'failed', input, error: failure.error, cause: failure.cause, durationMs: performance.now() - began };
        }
      } finally {
        clearInterval(beats);
      }
      tasks.push(task);
      options.log(task.status === 'succeeded' ? `task ${tasks.length} succeeded in ${Math.round(task.durationMs)} ms` : `task ${tasks.length} failed: ${task.error}${task.cause ? ` (${task.cause.slice(0, 200)})` : ''}`);
    }
  } finally {
    await host.close();
  }
  return { activityArn, workerName, tasks };
}
