/**
 * Poison executions: an execution whose resume crashed or hung the emulator
 * RESUME_LIMIT times in a row is failed (States.Runtime, with a cause that
 * says why) instead of being resumed again, so that a data dir can never
 * brick `deliv local start`.
 *
 * How a crash is counted: before resuming, each RUNNING execution's count
 * goes up, durably, with the id of its last event. It goes back to zero when
 * the execution ends, when the emulator shuts down cleanly, or once the
 * emulator has stayed responsive for HEALTHY_MS after the resume (a timer
 * that a blocked event loop never fires). So only boots that died or hung
 * right after resuming it count, and only while it stays at the same event:
 * an execution that recorded events between two crashes got past whatever
 * was running when the first one came, so those crashes were not its doing
 * (kill -9 of a busy emulator, three times in a row, must not fail every
 * execution that was running).
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

/** An execution about to be resumed, at the last event its history holds. */
export interface ResumePoint {
  arn: string;
  lastEventId: number;
}

/** Resumes in a row that the emulator did not survive, all begun at the same last event. */
interface Attempts {
  count: number;
  lastEventId: number;
}

export class ResumeGuard {
  private attempts: Record<string, Attempts>;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {
    // A store written before the last event was kept holds bare counts: they are not known to be at one event, so they start over.
    const stored = store.readMeta<Record<string, Attempts | number>>(ATTEMPTS_KEY) ?? {};
    this.attempts = Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, Attempts] => typeof entry[1] === 'object'));
  }

  /** Resumes of this execution the emulator died right after, while it stayed at its current last event. */
  private stuckAttempts(point: ResumePoint): number {
    const attempts = this.attempts[point.arn];
    return attempts && attempts.lastEventId === point.lastEventId ? attempts.count : 0;
  }

  /** Splits the executions to resume into those that may resume and those that have crashed the emulator too often. */
  sort<T extends ResumePoint>(rows: T[]): { resume: T[]; poison: { row: T; attempts: number }[] } {
    const resume: T[] = [];
    const poison: { row: T; attempts: number }[] = [];
    for (const row of rows) {
      const attempts = this.stuckAttempts(row);
      if (attempts >= RESUME_LIMIT) poison.push({ row, attempts });
      else resume.push(row);
    }
    return { resume, poison };
  }

  /** Counts this resume of each, durably, before any of them runs; clears the counts once the emulator proved healthy. */
  begin(points: ResumePoint[]): void {
    // Counts of executions no longer running (ended while stopped, or quarantined) are dropped.
    const next: Record<string, Attempts> = {};
    for (const point of points) next[point.arn] = { count: this.stuckAttempts(point) + 1, lastEventId: point.lastEventId };
    this.attempts = next;
    if (points.length === 0) {
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
