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

  it("realClock(0): a service limit falls due once a wait takes the clock past it, not before, and its signal cancels it", async () => {
    const clock = realClock(0);
    let due = false;
    const limit = clock.limit!(300_000).then(() => (due = true));
    await clock.sleep(299_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(due).toBe(false);
    await clock.sleep(2_000);
    await limit;
    expect(due).toBe(true);

    const controller = new AbortController();
    const cancelled = clock.limit!(300_000, controller.signal);
    controller.abort(new Error('ended first'));
    await expect(cancelled).rejects.toThrow('ended first');
    await clock.sleep(600_000);
  });

  it('realClock(0) ends skipped waits in the order of their ends, and a limit a wait passes at its own time', async () => {
    const clock = realClock(0);
    const start = clock.now();
    const ended: string[] = [];
    const long = clock.sleep(600_000).then(() => ended.push(`long@${clock.now() - start >= 600_000}`));
    const short = clock.sleep(60_000).then(() => ended.push(`short@${clock.now() - start < 61_000}`));
    const limit = clock.limit!(300_000).then(() => ended.push(`limit@${Math.round((clock.now() - start) / 1000)}`));
    await Promise.all([long, short, limit]);
    expect(ended).toEqual(['short@true', 'limit@300', 'long@true']);
  });

  it('realClock: a service limit also falls due in real time, as a deadline does', async () => {
    const clock = realClock(1);
    const started = Date.now();
    await clock.limit!(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
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
