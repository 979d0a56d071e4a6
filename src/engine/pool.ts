import { isPromise } from './execution.js';
import type { MaybePromise } from './io.js';

/**
 * Runs `runOne(0..total-1)` with at most `limit` pending at once (0 = no
 * limit; a function is asked each time a slot could open: UpdateMapRun changes it). Iterations that finish synchronously never touch a promise; the
 * first one that awaits switches the rest to an asynchronous launcher. The
 * first throw or rejection ends the pool with that error.
 */
export function runPool(
  total: number,
  limit: number | (() => number),
  runOne: (index: number) => MaybePromise<void>,
  /** Hands over the pool's launcher, for a host that raises the limit meanwhile (UpdateMapRun): room made is used at once. */
  onWake?: (wake: () => void) => void,
): MaybePromise<void> {
  let next = 0;
  while (next < total) {
    const pending = runOne(next++);
    if (isPromise<void>(pending)) return continueAsync(pending);
  }
  return undefined;

  function continueAsync(first: Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let active = 1;
      let done = false;
      const fail = (error: unknown): void => {
        if (done) return;
        done = true;
        reject(error);
      };
      const settled = (): void => {
        active -= 1;
        launch();
      };
      const launch = (): void => {
        if (done) return;
        const cap = typeof limit === 'function' ? limit() : limit;
        while (next < total && (cap === 0 || active < cap)) {
          let pending: MaybePromise<void>;
          try {
            pending = runOne(next++);
          } catch (error) {
            fail(error);
            return;
          }
          if (isPromise<void>(pending)) {
            active += 1;
            pending.then(settled, fail);
          }
        }
        if (active === 0 && next >= total) {
          done = true;
          resolve();
        }
      };
      first.then(settled, fail);
      onWake?.(launch);
      launch();
    });
  }
}
