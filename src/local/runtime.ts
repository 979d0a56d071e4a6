/**
 * Runs executions on the engine and keeps the store in step with them: every
 * history event is persisted as it happens, the final status in the same
 * commit as the last events, and on start-up the executions that were RUNNING
 * resume from their stored history.
 */
import type { JsonValue, WorkflowType } from '../asl/types.js';
import type { Clock, ExecutionHandle, ExecutionResult, HistoryEvent, TaskRunner } from '../engine/types.js';
import type { MachineCache } from './engine.js';
import { executionRecorder, loggingSettings, type LoggedExecution } from './execution-logger.js';
import type { LogStore } from './log-store.js';
import { ResumeGuard, type QuarantinedExecution } from './quarantine.js';
import type { MapRuns } from './map-runs.js';
import { carryOn } from './redrive.js';
import { isDeleting, type ExecutionRow, type Store } from './store.js';
import { StatesErrors } from '../asl/errors.js';

export interface SyncResult extends ExecutionResult {
  stopped: number;
}

interface LiveExecution {
  /** Set once the run has begun, on a turn after the one that stored the start. */
  handle?: ExecutionHandle;
  /** Its writes failed: the run goes on nowhere (it resumes from the store once writes work again). */
  detached?: boolean;
  /** The unqualified ARN of the machine it runs (DeleteStateMachine halts them by it). */
  machineArn: string;
  /** A StopExecution that came before the run began: applied as it begins. */
  stopRequest?: { error?: string; cause?: string };
  done: Promise<ExecutionRow>;
}

export class Runtime {
  private readonly live = new Map<string, LiveExecution>();
  private readonly finishListeners = new Set<(row: ExecutionRow) => void>();
  private closed = false;
  private readonly guard: ResumeGuard;
  /** How many executions the last resumeAll failed as poison instead of resuming them. */
  quarantinedAtStart = 0;

  constructor(
    private readonly store: Store,
    private readonly machines: MachineCache,
    readonly taskRunner: TaskRunner,
    private readonly clock: Clock,
    /** The data dir's task-token key, so a resumed task hands out the token it handed out before. */
    private readonly taskTokenKey?: Uint8Array,
    /** CloudWatch Logs, where machines that log write their executions' events. */
    private readonly logs?: LogStore,
    /** Where Distributed Maps keep their Map Runs and child executions. */
    private readonly mapRuns?: MapRuns,
  ) {
    this.guard = new ResumeGuard(store);
    store.onWriteFailure((error, executionArns) => {
      for (const arn of executionArns) this.pause(arn, error);
    });
  }

  /** The recorder of a machine's log group for one execution, when the machine logs (its configuration as the execution starts). */
  private logger(machineArn: string, execution: LoggedExecution): ((event: HistoryEvent) => void) | undefined {
    if (!this.logs) return undefined;
    const settings = loggingSettings(this.store.getMachine(machineArn)?.loggingConfiguration);
    return settings && executionRecorder(this.logs, settings, execution, () => this.clock.now());
  }

  get runningCount(): number {
    return this.live.size;
  }

  /**
   * Starts a stored execution, or resumes it from its history (after a
   * restart or a redrive). The run begins on a later turn, once the batch
   * holding the start has committed: StartExecution answers as soon as the
   * start is durable, and an execution's synchronous first steps never delay
   * that answer or the requests served with it.
   */
  run(row: ExecutionRow, resume = false): void {
    const arn = row.arn;
    let settle!: (done: ExecutionRow | Promise<ExecutionRow>) => void;
    const live: LiveExecution = { machineArn: row.machineArn, done: new Promise<ExecutionRow>((resolve) => (settle = resolve)) };
    this.live.set(arn, live);
    const begin = () => {
      if (this.closed || this.live.get(arn) !== live) return;
      let handle: ExecutionHandle;
      try {
        handle = this.begin(row, resume, live);
      } catch (error) {
        settle(this.finish(row, { status: 'FAILED', error: StatesErrors.Runtime, cause: `could not start: ${(error as Error).message}`, eventCount: 0 }, live));
        return;
      }
      live.handle = handle;
      settle(
        handle.result.then(
          (result) => this.finish(row, result, live),
          (error: unknown) => this.finish(row, { status: 'FAILED', error: StatesErrors.Runtime, cause: String((error as Error)?.message ?? error), eventCount: 0 }, live),
        ),
      );
      if (live.stopRequest) handle.stop(live.stopRequest.error, live.stopRequest.cause);
      const halting = this.halting.get(row.machineArn) ?? this.deletingCause(row.machineArn);
      if (halting !== undefined) handle.halt(halting);
    };
    this.store.committed().then(
      () => setImmediate(begin),
      () => {
        // The start itself was not stored (its request failed): there is nothing to run.
        this.live.delete(arn);
        settle(row);
      },
    );
  }

  private begin(row: ExecutionRow, resume: boolean, live: LiveExecution): ExecutionHandle {
    const machine = this.machines.get(row.definition);
    const arn = row.arn;
    const log = this.logger(row.machineArn, { arn, machineName: row.machineName, started: row.started, redriveCount: row.redriveCount });
    const { resumeFrom, write } = carryOn(this.store, row, resume);
    const record = (event: HistoryEvent) => {
      const stored = write(event);
      log?.(stored);
    };
    return machine.start({
      executionArn: arn,
      name: row.name,
      stateMachineArn: row.versionArn ?? row.machineArn,
      stateMachineName: row.machineName,
      roleArn: row.roleArn,
      startTime: new Date(row.started).toISOString(),
      redriveCount: row.redriveCount,
      type: row.type,
      input: JSON.parse(row.input) as JsonValue,
      runner: this.taskRunner,
      clock: this.clock,
      onEvent: (event) => {
        if (this.closed || live.detached) return;
        try {
          record(event);
        } catch (error) {
          this.pause(arn, error);
        }
      },
      resumeFrom,
      taskTokenKey: this.taskTokenKey,
      // A Map Run's children write nothing more once their parent does not (shutdown, paused): they carry on from the store.
      mapRuns: this.mapRuns && { start: (run) => this.mapRuns!.start(run, () => !(this.closed || live.detached)) },
    });
  }

  /**
   * A write of this execution failed (disk full, read-only file, I/O error):
   * it stops in memory where its history was last committed, so the history
   * never has a gap, and runs on from there once writes work again (what was
   * under way runs again, as after a crash). One line says so, and one when it ends.
   */
  pause(arn: string, error: unknown): void {
    const live = this.live.get(arn);
    if (live) {
      live.detached = true;
      this.live.delete(arn);
      live.handle?.stop();
    }
    if (this.paused.size === 0 && !this.retry) {
      process.stderr.write(`deliv local: cannot write to the store (${(error as Error)?.message ?? error}); executions pause and resume when writes work again\n`);
      this.retry = setInterval(() => this.resumePaused(), 1000);
      this.retry.unref();
    }
    this.paused.add(arn);
  }

  private readonly paused = new Set<string>();
  private retry: NodeJS.Timeout | undefined;

  private resumePaused(): void {
    if (this.closed || !this.store.writable()) return;
    clearInterval(this.retry);
    this.retry = undefined;
    const arns = [...this.paused];
    this.paused.clear();
    for (const arn of arns) {
      const row = this.store.getExecution(arn);
      if (row?.status === 'RUNNING' && !this.live.has(arn)) this.run(row, true);
    }
    process.stderr.write(`deliv local: writes to the store work again; ${arns.length} paused execution(s) resumed\n`);
  }

  private finish(started: ExecutionRow, result: ExecutionResult, live?: LiveExecution): ExecutionRow {
    const arn = started.arn;
    // A paused run's end is no end: the execution runs on from its stored history later.
    if (live?.detached) return { ...started };
    if (this.live.get(arn) === live || live === undefined) this.live.delete(arn);
    // After shutdown the store is closed: the execution stays RUNNING there and resumes on the next start.
    if (this.closed) return { arn } as ExecutionRow;
    const end = {
      status: result.status,
      output: result.output === undefined ? null : JSON.stringify(result.output),
      error: result.error ?? null,
      cause: result.cause ?? null,
      stopped: this.clock.now(),
    };
    try {
      this.store.finishExecution(arn, end);
    } catch (error) {
      this.pause(arn, error);
      return { ...started };
    }
    this.guard.settled(arn);
    try {
      this.deleteIfIdle(started.machineArn);
    } catch {
      // The deletion is tried again when the next of its executions ends, or at the next start.
    }
    // The row as stored now, without reading it back: only these columns changed since it started.
    const row: ExecutionRow = { ...started, ...end };
    for (const listener of this.finishListeners) listener(row);
    return row;
  }

  /**
   * DeleteStateMachine of a machine with executions running: each ends at its
   * next state transition (one that has not begun yet, as it begins), and the
   * machine is deleted once none runs (see finish). The machine is marked
   * DELETING in the store first; the cause is read from it.
   */
  halt(machineArn: string): void {
    const cause = this.deletingCause(machineArn);
    if (cause === undefined) return;
    for (const live of this.live.values()) {
      if (live.machineArn === machineArn) live.handle?.halt(cause);
    }
  }

  /** Machines being deleted, by ARN: the cause their executions fail with. */
  private readonly halting = new Map<string, string>();

  /** The machine's last execution has ended while it was DELETING: it goes now. */
  private deleteIfIdle(machineArn: string): void {
    const machine = this.store.getMachine(machineArn);
    if (!isDeleting(machine)) return;
    if (this.store.runningExecutionCount(machineArn) > 0) return;
    this.halting.delete(machineArn);
    this.store.deleteMachine(machineArn);
  }

  isLive(arn: string): boolean {
    return this.live.has(arn);
  }

  stop(arn: string, error?: string, cause?: string): Promise<ExecutionRow> | undefined {
    const live = this.live.get(arn);
    if (!live) return undefined;
    if (live.handle) live.handle.stop(error, cause);
    else live.stopRequest = { error, cause };
    return live.done;
  }

  /** Resolves when a stored execution has ended (at once when it already has). */
  waitFor(arn: string, signal?: AbortSignal): Promise<ExecutionRow> {
    const live = this.live.get(arn);
    if (!live) return Promise.resolve(this.store.getExecution(arn)!);
    if (!signal) return live.done;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      void live.done.then((row) => {
        signal.removeEventListener('abort', onAbort);
        resolve(row);
      });
    });
  }

  onFinish(listener: (row: ExecutionRow) => void): () => void {
    this.finishListeners.add(listener);
    return () => this.finishListeners.delete(listener);
  }

  /** StartSyncExecution: an Express execution held in memory only, as AWS keeps no history for it (but its log group, when it logs). */
  async runSync(options: {
    definition: string;
    arn: string;
    name: string;
    machineArn: string;
    machineName: string;
    roleArn: string;
    input: JsonValue;
    type: WorkflowType;
    /** The unqualified machine ARN, whose logging configuration applies. */
    loggingMachineArn?: string;
  }): Promise<SyncResult> {
    const machine = this.machines.get(options.definition);
    const log = this.logger(options.loggingMachineArn ?? options.machineArn, { arn: options.arn, machineName: options.machineName, started: this.clock.now(), redriveCount: 0 });
    const handle = machine.start({
      executionArn: options.arn,
      name: options.name,
      stateMachineArn: options.machineArn,
      stateMachineName: options.machineName,
      roleArn: options.roleArn,
      type: options.type,
      input: options.input,
      runner: this.taskRunner,
      clock: this.clock,
      taskTokenKey: this.taskTokenKey,
      onEvent: log,
    });
    const result = await handle.result;
    return { ...result, stopped: this.clock.now() };
  }

  /** After a restart: every execution that was RUNNING carries on from its history. */
  resumeAll(): number {
    // A Map Run's children are not resumed on their own: their parent resumes and runs its Map Run again (map-runs.ts).
    const running = this.store.runningExecutions().filter((row) => !row.parentArn?.includes(':mapRun:'));
    const { resume, poison } = this.guard.sort(running.map((row) => ({ row, arn: row.arn, lastEventId: this.store.lastEventId(row.arn) })));
    for (const { row, attempts } of poison) this.quarantine(row.row, attempts);
    this.quarantinedAtStart = poison.length;
    // A machine left DELETING whose executions all ended (or were quarantined) while the emulator was down goes now.
    for (const machineArn of this.store.deletingMachines()) this.deleteIfIdle(machineArn);
    // Counted before any of them runs: if one takes the process down, the next start knows.
    this.guard.begin(resume);
    for (const { row } of resume) {
      try {
        this.run(row, true);
      } catch (error) {
        this.store.finishExecution(row.arn, { status: 'FAILED', error: StatesErrors.Runtime, cause: `could not resume: ${(error as Error).message}`, stopped: Date.now() });
      }
    }
    return resume.length;
  }

  /** A stored machine marked DELETING (now, or by an earlier run of the emulator): the cause its executions fail with. */
  private deletingCause(machineArn: string): string | undefined {
    const machine = this.store.getMachine(machineArn);
    if (!machine || !isDeleting(machine)) return undefined;
    const cause = `State machine ${machine.name} has been deleted.`;
    this.halting.set(machineArn, cause);
    return cause;
  }

  /** Executions failed at start-up because resuming them kept crashing the emulator. */
  quarantined(): QuarantinedExecution[] {
    return this.guard.quarantined();
  }

  /** Fails a poison execution without running it: its history ends with ExecutionFailed, as any failure's does. */
  private quarantine(row: ExecutionRow, attempts: number): void {
    const cause = this.guard.quarantine(row.arn, attempts);
    const history = this.store.history(row.arn);
    const last = history[history.length - 1];
    const stopped = Date.now();
    this.store.transaction(() => {
      this.store.appendEvent(row.arn, {
        id: ((last?.id as number | undefined) ?? 0) + 1,
        previousEventId: (last?.id as number | undefined) ?? 0,
        timestamp: new Date(stopped),
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: StatesErrors.Runtime, cause },
      });
      this.store.finishExecution(row.arn, { status: 'FAILED', error: StatesErrors.Runtime, cause, stopped });
    });
    this.store.flush();
  }

  /** Stops feeding the engine (shutdown): running executions stay RUNNING in the store and resume next time. */
  shutdown(): void {
    this.closed = true;
    // A clean stop: nothing resumed this time took the emulator down.
    this.guard.clearAll();
    this.store.flush();
    // Their engines stop here, writing nothing more (as a paused one does), so a busy loop does not
    // keep the process working until it exits; the store has them RUNNING and they resume from it.
    for (const live of this.live.values()) {
      live.detached = true;
      live.handle?.stop();
    }
    this.live.clear();
  }
}
