/**
 * `.waitForTaskToken` callbacks. Tokens live in SQLite so that an answer given
 * to SendTaskSuccess/Failure is never lost: when the emulator restarts, the
 * resumed task asks for the same slot (execution, state, attempt, map index)
 * and either gets the answer that arrived before the crash, or keeps waiting
 * under its old tokens too, so a worker holding one still reaches it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { JsonValue } from '../asl/types.js';
import { encodeTaskToken, TASK_TOKEN_PATTERN } from '../engine/index.js';
import { TaskFailure, type TaskRequest } from '../engine/types.js';
import { ApiError } from './api-error.js';
import type { Store, TokenRow } from './store.js';

interface Waiter {
  request: TaskRequest;
  resolve(value: JsonValue): void;
  reject(error: unknown): void;
}

const KEY_BYTES = 32;

/**
 * The data dir's task-token key, derived from the store's secret (which
 * outlives restarts) so a resumed task hands out the token it handed out
 * before, and separate from the secret's other uses; whoever lacks it cannot
 * forge a token for another task.
 */
export function taskTokenKey(storeSecret: Uint8Array): Uint8Array {
  return createHmac('sha256', storeSecret).update('deliv task tokens').digest();
}

export class TokenBroker {
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly store: Store) {}

  /** Resolves with the callback's output, or rejects with its TaskFailure. */
  wait(request: TaskRequest, token = request.taskToken ?? encodeTaskToken(randomBytes(KEY_BYTES))): Promise<JsonValue> {
    const slot = slotOf(request);
    const earlier = this.store.tokensForSlot(slot);
    const answered = earlier.find((row) => row.status === 'SUCCEEDED' || row.status === 'FAILED');
    if (answered) {
      this.consume(slot);
      return answered.status === 'SUCCEEDED'
        ? Promise.resolve(JSON.parse(answered.output ?? 'null') as JsonValue)
        : Promise.reject(new TaskFailure(answered.error ?? '', answered.cause ?? undefined));
    }
    if (!earlier.some((row) => row.token === token)) {
      this.store.insertToken({
        token,
        executionArn: request.executionArn,
        stateName: request.stateName,
        slot,
        status: 'WAITING',
        output: null,
        error: null,
        cause: null,
        created: Date.now(),
        heartbeat: null,
      });
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(slot);
        this.consume(slot);
        reject(request.signal.reason);
      };
      if (request.signal.aborted) return onAbort();
      request.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => request.signal.removeEventListener('abort', onAbort);
      this.waiters.set(slot, {
        request,
        resolve: (value) => (done(), resolve(value)),
        reject: (error) => (done(), reject(error)),
      });
    });
  }

  /**
   * Whether this task's resource already ran before a restart (or its answer
   * already came): then the resumed task only waits, so a Lambda that handed
   * out a token is not invoked a second time. Asked before `wait`, which
   * consumes an answer it finds.
   */
  resourceRan(request: TaskRequest): boolean {
    return this.store.tokensForSlot(slotOf(request)).some((row) => row.invoked === 1 || row.status === 'SUCCEEDED' || row.status === 'FAILED');
  }

  /** The task's resource returned: recorded so that a restart does not run it again. */
  resourceReturned(request: TaskRequest): void {
    this.store.markSlotInvoked(slotOf(request));
  }

  /** The task failed before anyone could answer: its tokens are no longer waiting. */
  withdraw(request: TaskRequest): void {
    const slot = slotOf(request);
    this.waiters.delete(slot);
    this.consume(slot);
  }

  succeed(token: string, output: string): void {
    let value: JsonValue;
    try {
      value = JSON.parse(output) as JsonValue;
    } catch {
      throw new ApiError('InvalidOutput', `Invalid Output: '${output.slice(0, 100)}'`);
    }
    const row = this.waitingRow(token);
    this.store.answerToken(token, { status: 'SUCCEEDED', output });
    this.deliver(row.slot, (waiter) => waiter.resolve(value));
  }

  fail(token: string, error = '', cause = ''): void {
    const row = this.waitingRow(token);
    this.store.answerToken(token, { status: 'FAILED', error, cause });
    this.deliver(row.slot, (waiter) => waiter.reject(new TaskFailure(error, cause)));
  }

  heartbeat(token: string): void {
    const row = this.waitingRow(token);
    this.store.heartbeatToken(token, Date.now());
    this.waiters.get(row.slot)?.request.heartbeat();
  }

  waiting(): TokenRow[] {
    return this.store.waitingTokens().filter((row) => this.waiters.has(row.slot));
  }

  private deliver(slot: string, answer: (waiter: Waiter) => void): void {
    const waiter = this.waiters.get(slot);
    if (!waiter) return; // kept in the store for the task when its execution resumes
    this.waiters.delete(slot);
    // Consumed in the same commit as the task's completion event, so a crash in between replays the answer.
    this.store.defer(() => this.consume(slot));
    answer(waiter);
  }

  private consume(slot: string): void {
    for (const row of this.store.tokensForSlot(slot)) {
      if (row.status !== 'CONSUMED') this.store.answerToken(row.token, { status: 'CONSUMED', output: row.output, error: row.error, cause: row.cause });
    }
  }

  private waitingRow(token: string): TokenRow {
    // AWS's answer to a token it did not issue, malformed or forged alike (the recorded `NoSuchTaskToken` case).
    if (typeof token !== 'string' || !TASK_TOKEN_PATTERN.test(token)) throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    const row = this.store.getToken(token);
    if (!row) throw new ApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    if (row.status !== 'WAITING') throw new ApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    return row;
  }
}

function slotOf(request: TaskRequest): string {
  const context = request.context as { Map?: { Item?: { Index?: number } } } | null;
  const index = context?.Map?.Item?.Index;
  return `${request.executionArn}|${request.stateName}|${request.attempt}|${index ?? ''}`;
}
