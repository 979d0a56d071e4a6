import type { Clock } from './types.js';

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

/**
 * Wall-clock time, with waits scaled: `scale` 1 is real time, 0.1 runs waits
 * ten times faster, 0 skips them. `now()` moves forward by the time a skipped
 * wait would have taken, so `$$.State.EnteredTime` and history timestamps stay
 * consistent with the waits the execution went through.
 *
 * `unref`: pending waits do not keep the process alive. For a host whose waits
 * are state (the emulator: a Wait's end follows from its history and resumes
 * after a restart) and that stays alive by serving, so it can exit at once.
 */
export function realClock(scale = 1, options: { unref?: boolean } = {}): Clock {
  let offset = 0;
  const now = (): number => Date.now() + offset;
  const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      if (options.unref) timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  // Service limits under way, each due at a time on this clock (see limit below).
  const limits = new Set<{ at: number; due(): void }>();
  /** Time moves to `target` (a wait's end): the clock's offset follows, and the limits it passes fall due first. */
  const reach = (target: number): void => {
    offset = Math.max(offset, target - Date.now());
    for (const limit of limits) if (limit.at <= now()) limit.due();
  };

  // At scale 0 the skipped waits end in the order of their ends, one a turn of the event loop (as a
  // virtual clock's do), not in the order they began: a 60 s Wait begun after a 600 s one ends first,
  // before the five minutes the longer one passes.
  const skipped: { at: number; seq: number; end(): void }[] = [];
  let seq = 0;
  let turning = false;
  const turn = (): void => {
    turning = false;
    let first = 0;
    for (let i = 1; i < skipped.length; i++) if (skipped[i].at < skipped[first].at || (skipped[i].at === skipped[first].at && skipped[i].seq < skipped[first].seq)) first = i;
    const next = skipped[first];
    if (!next) return;
    // A limit the wait passes falls due first, at its own time (the timed-out execution stops at five minutes, not at the wait's end).
    let limit: { at: number; due(): void } | undefined;
    for (const candidate of limits) if (candidate.at <= next.at && (!limit || candidate.at < limit.at)) limit = candidate;
    if (limit) {
      offset = Math.max(offset, limit.at - Date.now());
      limit.due();
    } else {
      skipped.splice(first, 1);
      next.end();
    }
    if (skipped.length > 0) schedule();
  };
  const schedule = (): void => {
    if (turning) return;
    turning = true;
    const immediate = setImmediate(turn);
    if (options.unref) immediate.unref();
  };
  const skip = (target: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const entry = {
        at: target,
        seq: (seq += 1),
        end: (): void => {
          signal?.removeEventListener('abort', onAbort);
          reach(target);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = skipped.indexOf(entry);
        if (index !== -1) skipped.splice(index, 1);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      skipped.push(entry);
      schedule();
    });

  return {
    now,
    async sleep(ms, signal) {
      const target = now() + ms;
      if (scale === 0) return skip(target, signal);
      await realSleep(Math.max(0, ms * scale), signal);
      reach(target);
    },
    // Deadlines race real work (a handler, a callback), so they stay in real time whatever the scale.
    deadline: realSleep,
    // A service limit (Express's five minutes) is due in real time like a deadline, or as soon as a scaled
    // wait or retry takes this clock past it: at --time-scale 0 a 10-minute Wait times an Express execution out.
    limit(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortReason(signal));
        const entry = {
          at: now() + Math.max(0, ms),
          due: (): void => {
            done();
            resolve();
          },
        };
        const onAbort = (): void => {
          done();
          reject(abortReason(signal as AbortSignal));
        };
        const timer = setTimeout(entry.due, Math.max(0, ms));
        if (options.unref) timer.unref();
        const done = (): void => {
          clearTimeout(timer);
          limits.delete(entry);
          signal?.removeEventListener('abort', onAbort);
        };
        limits.add(entry);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

interface Timer {
  at: number;
  seq: number;
  resolve(): void;
  /** Due only once time has passed it: never what auto-advance jumps to (see VirtualClock.limit). */
  passive?: boolean;
}

/**
 * Virtual time for tests and benchmarks: nothing waits for real. With
 * `autoAdvance` (the default), whenever the event loop has run out of other
 * work the clock jumps to the earliest pending timer, so a 1-hour Wait costs
 * nothing; `advance(ms)` moves it by hand.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;
  private readonly autoAdvance: boolean;

  constructor(options: { start?: number | Date; autoAdvance?: boolean } = {}) {
    this.current = options.start === undefined ? Date.UTC(2026, 0, 1) : Number(options.start);
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.current;
  }

  get pending(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.timer(ms, signal, false);
  }

  /** A service limit (Express's five minutes) falls due when a wait, a retry or advance() takes time past it, never by a jump of its own. */
  limit(ms: number, signal?: AbortSignal): Promise<void> {
    return this.timer(ms, signal, true);
  }

  private timer(ms: number, signal: AbortSignal | undefined, passive: boolean): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: (this.seq += 1),
        passive,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.fire(next);
    }
    this.current = target;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((t) => t !== timer);
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
  }

  private schedule(): void {
    if (!this.autoAdvance || this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after pending promise reactions, i.e. once the engine has nothing else to do right now.
    setImmediate(() => {
      this.scheduled = false;
      // Only a timer that is waited for moves the clock; a limit that falls due before it fires first.
      if (!this.timers.some((timer) => !timer.passive)) return;
      this.fire(this.earliest()!);
      if (this.timers.some((timer) => !timer.passive)) this.schedule();
    });
  }
}

export function virtualClock(options?: { start?: number | Date; autoAdvance?: boolean }): VirtualClock {
  return new VirtualClock(options);
}
