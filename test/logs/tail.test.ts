import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/aws/sfn.js';
import { isExecutionArn, parseSince } from '../../src/logs/tail.js';

describe('parseSince', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it('reads durations back from now, and dates as given', () => {
    expect(parseSince('90s', now).toISOString()).toBe('2026-03-01T11:58:30.000Z');
    expect(parseSince('1h', now).toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(parseSince('2d', now).toISOString()).toBe('2026-02-27T12:00:00.000Z');
    expect(parseSince('2026-02-28T08:00:00Z', now).toISOString()).toBe('2026-02-28T08:00:00.000Z');
  });

  it('rejects anything else as a usage error', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/--since yesterday: not a duration or a date/);
  });
});

describe('isExecutionArn', () => {
  it('tells executions (Standard and Express) from machines', () => {
    expect(isExecutionArn('arn:aws:states:eu-west-1:111122223333:execution:orders:abc')).toBe(true);
    expect(isExecutionArn('arn:aws:states:us-east-1:123456789012:express:orders:abc:def')).toBe(true);
    expect(isExecutionArn('arn:aws:states:eu-west-1:111122223333:stateMachine:orders')).toBe(false);
    expect(isExecutionArn('orders')).toBe(false);
  });
});

describe('Backoff', () => {
  it('polls slower while nothing happens, up to the cap, and quick again on progress', () => {
    const backoff = new Backoff(100, 300);
    expect([backoff.next(false), backoff.next(false), backoff.next(false), backoff.next(true)]).toEqual([150, 225, 300, 100]);
  });
});
