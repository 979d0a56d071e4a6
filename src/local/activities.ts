/**
 * Activities: tasks a worker outside the emulator takes with GetActivityTask
 * (a long poll) and answers with SendTaskSuccess/Failure/Heartbeat. A task's
 * answer goes through the TokenBroker, so it is as durable as a callback's:
 * the queue of tasks not yet taken lives in memory, because a resumed
 * execution schedules its pending activity again.
 */
import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../asl/types.js';
import { encodeTaskToken } from '../engine/index.js';
import type { TaskRequest } from '../engine/types.js';
import type { Store } from './store.js';
import type { TokenBroker } from './tokens.js';

/** AWS holds GetActivityTask open for up to 60 seconds when there is no task. */
export const POLL_SECONDS = 60;

interface Pending {
  token: string;
  input: string;
  request: TaskRequest;
}

interface Poller {
  workerName?: string;
  deliver(task: Pending | undefined): void;
}

export class ActivityBroker {
  private readonly pending = new Map<string, Pending[]>();
  private readonly pollers = new Map<string, Poller[]>();

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenBroker,
  ) {}

  exists(activityArn: string): boolean {
    return this.store.getActivity(activityArn) !== undefined;
  }

  /** Queues the task for a worker of `activityArn`; resolves or rejects with the worker's answer. */
  schedule(activityArn: string, request: TaskRequest): Promise<JsonValue> {
    const token = encodeTaskToken(randomBytes(32));
    // The token broker keys answers by the task's slot: an answer that arrives while the emulator is down is kept for the resumed task.
    const answer = this.tokens.wait(request, token);
    const task: Pending = { token, input: JSON.stringify(request.parameters ?? {}), request };
    const onAbort = () => {
      const queue = this.pending.get(activityArn);
      if (queue) this.pending.set(activityArn, queue.filter((t) => t !== task));
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    answer.then(onAbort, onAbort);
    const waiting = this.pollers.get(activityArn);
    const poller = waiting?.shift();
    if (poller) this.hand(task, poller);
    else this.pending.set(activityArn, [...(this.pending.get(activityArn) ?? []), task]);
    return answer;
  }

  /** GetActivityTask: the oldest task of the activity, or (after the poll) none. */
  poll(activityArn: string, workerName: string | undefined, signal?: AbortSignal, seconds = POLL_SECONDS): Promise<{ taskToken?: string; input?: string }> {
    const queue = this.pending.get(activityArn);
    const next = queue?.shift();
    if (next) {
      this.hand(next, { workerName, deliver: () => undefined });
      return Promise.resolve({ taskToken: next.token, input: next.input });
    }
    return new Promise((resolve) => {
      const poller: Poller = {
        workerName,
        deliver: (task) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', gone);
          resolve(task ? { taskToken: task.token, input: task.input } : {});
        },
      };
      const remove = () => this.pollers.set(activityArn, (this.pollers.get(activityArn) ?? []).filter((p) => p !== poller));
      const timer = setTimeout(() => {
        remove();
        poller.deliver(undefined);
      }, seconds * 1000);
      // A worker that hung up takes nothing: the task stays for the next one.
      const gone = () => {
        remove();
        clearTimeout(timer);
        resolve({});
      };
      signal?.addEventListener('abort', gone, { once: true });
      this.pollers.set(activityArn, [...(this.pollers.get(activityArn) ?? []), poller]);
    });
  }

  /** Tasks scheduled and not yet taken, per activity (for `deliv local status`). */
  queued(activityArn: string): number {
    return this.pending.get(activityArn)?.length ?? 0;
  }

  /** DeleteActivity: its waiting workers get no task. */
  forget(activityArn: string): void {
    for (const poller of this.pollers.get(activityArn) ?? []) poller.deliver(undefined);
    this.pollers.delete(activityArn);
  }

  private hand(task: Pending, poller: Poller): void {
    task.request.started?.(poller.workerName);
    poller.deliver(task);
  }
}
