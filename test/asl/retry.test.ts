import { describe, expect, it } from 'vitest';
import { backoffDelay, RETRY_DEFAULTS } from '../../src/asl/retry.js';

describe('a Retrier’s backoff (States Language defaults, read by the engine, cost and graph)', () => {
  it('waits IntervalSeconds × BackoffRate^retries made, capped by MaxDelaySeconds', () => {
    const { IntervalSeconds, BackoffRate } = RETRY_DEFAULTS;
    expect([0, 1, 2].map((made) => backoffDelay(IntervalSeconds, BackoffRate, made))).toEqual([1, 2, 4]);
    expect(backoffDelay(3, 2, 4, 20)).toBe(20);
    expect(RETRY_DEFAULTS).toEqual({ IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 });
  });
});
