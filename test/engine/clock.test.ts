import { describe, expect, it } from 'vitest';
import { realClock, virtualClock } from '../../src/engine/index.js';

describe('clocks', () => {
  it('realClock(0) skips waits but moves its time forward by them', async () => {
    const clock = realClock(0);
    const before = clock.now();
    await clock.sleep(3_600_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(3_600_000);
    expect(clock.now() - Date.now()).toBeLessThan(3_600_000 + 1000);
  });

  it('realClock sleeps are cancelled by their signal', async () => {
    const controller = new AbortController();
    const sleeping = realClock(1).sleep(60_000, controller.signal);
    controller.abort(new Error('stopped'));
    await expect(sleeping).rejects.toThrow('stopped');
  });

  it('a virtual clock advances to the next timer once the event loop is idle, in order', async () => {
    const clock = virtualClock({ start: 0 });
    const fired: number[] = [];
    await Promise.all([clock.sleep(5000).then(() => fired.push(clock.now())), clock.sleep(1000).then(() => fired.push(clock.now()))]);
    expect(fired).toEqual([1000, 5000]);
  });

  it('a manual virtual clock only moves with advance()', async () => {
    const clock = virtualClock({ start: 0, autoAdvance: false });
    let done = false;
    const sleeping = clock.sleep(2000).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    clock.advance(2000);
    await sleeping;
    expect([done, clock.now(), clock.pending]).toEqual([true, 2000, 0]);
  });
});
