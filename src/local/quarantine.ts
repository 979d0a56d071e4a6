/**
 * Poison executions: an execution whose resume crashed or hung the emulator
 * RESUME_LIMIT times in a row is failed (States.Runtime, with a cause that
 * says why) instead of being resumed again, so that a data dir can never
 * brick `deliv local start`.
 *
 * How a crash is counted: before resuming, each RUNNING execution's count
 * goes up, durably. It goes back to zero when the execution ends, when the
 * emulator shuts down cleanly, or once the emulator has stayed responsive for
 * HEALTHY_MS after the resume (a timer that a blocked event loop never
 * fires). So only boots that died or hung right after resuming it count.
 */
import type { Store } from './store.js';

export const RESUME_LIMIT = 3;
/** How long after a resume the emulator must stay responsive for it to count as survived (DELIV_RESUME_HEALTHY_MS overrides, for tests that crash it on purpose). */
const HEALTHY_MS = Number(process.env.DELIV_RESUME_HEALTHY_MS) || 2_000;

const ATTEMPTS_KEY = 'resumeAttempts';
const QUARANTINE_KEY = 'quarantined';
/** The list `deliv local status` shows is the most recent ones. */
const KEEP_QUARANTINED = 100;

export interface QuarantinedExecution {
  executionArn: string;
  attempts: number;
  quarantinedAt: string;
  cause: string;
}

export class ResumeGuard {
  private attempts: Record<string, number>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {
    this.attempts = store.readMeta<Record<string, number>>(ATTEMPTS_KEY) ?? {};
  }

  /** Splits the executions to resume into those that may resume and those that have crashed the emulator too often. */
  sort<T extends { arn: string }>(rows: T[]): { resume: T[]; poison: { row: T; attempts: number }[] } {
    const resume: T[] = [];
    const poison: { row: T; attempts: number }[] = [];
    for (const row of rows) {
      const attempts = this.attempts[row.arn] ?? 0;
      if (attempts >= RESUME_LIMIT) poison.push({ row, attempts });
      else resume.push(row);
    }
    return { resume, poison };
  }

  /** Counts this resume of each, durably, before any of them runs; clears the counts once the emulator proved healthy. */
  begin(arns: string[]): void {
    const known = new Set(arns);
    // Counts of executions no longer running (ended while stopped, or quarantined) are dropped.
    const next: Record<string, number> = {};
    for (const arn of arns) next[arn] = (this.attempts[arn] ?? 0) + 1;
    for (const arn of Object.keys(this.attempts)) if (!known.has(arn)) delete this.attempts[arn];
    this.attempts = next;
    if (arns.length === 0) {
      this.save();
      return;
    }
    this.save();
    this.timer = setTimeout(() => this.clearAll(), HEALTHY_MS);
    this.timer.unref();
  }

  /** The execution ended: it did not poison anything. */
  settled(arn: string): void {
    if (this.attempts[arn] === undefined) return;
    delete this.attempts[arn];
    this.save();
  }

  /** A clean shutdown, or the emulator stayed responsive: nothing resumed this time crashed it. */
  clearAll(): void {
    clearTimeout(this.timer);
    if (Object.keys(this.attempts).length === 0) return;
    this.attempts = {};
    this.save();
  }

  quarantine(executionArn: string, attempts: number): string {
    const cause =
      `deliv local quarantined this execution: resuming it crashed or hung the emulator ${attempts} times in a row, ` +
      'so it was failed instead of being resumed again. Its history up to the crash is kept; look at its last states ' +
      '(deliv logs, deliv explain) for what brought the emulator down.';
    const list = this.quarantined();
    list.push({ executionArn, attempts, quarantinedAt: new Date().toISOString(), cause });
    this.store.writeMeta(QUARANTINE_KEY, list.slice(-KEEP_QUARANTINED));
    delete this.attempts[executionArn];
    this.save();
    return cause;
  }

  quarantined(): QuarantinedExecution[] {
    return this.store.readMeta<QuarantinedExecution[]>(QUARANTINE_KEY) ?? [];
  }

  private save(): void {
    this.store.writeMeta(ATTEMPTS_KEY, this.attempts);
  }
}
