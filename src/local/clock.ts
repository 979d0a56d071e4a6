/**
 * The engine's clock for the emulator. `--time-scale N` runs waits N times
 * their length in real time (0 = instantly, 0.1 = ten times faster); skipped
 * time still advances what the execution sees as "now", so timestamps, Wait
 * `Timestamp`s and timeouts stay consistent with one another.
 */
import type { Clock } from '../engine/types.js';

export function scaledClock(timeScale: number): Clock {
  if (timeScale === 1) return realClock;
  let skipped = 0;
  return {
    now: () => Date.now() + skipped,
    sleep(ms, signal) {
      const real = Math.max(0, ms * timeScale);
      return delay(real, signal).then(() => {
        skipped += ms - real;
      });
    },
  };
}

export const realClock: Clock = { now: () => Date.now(), sleep: delay };

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
