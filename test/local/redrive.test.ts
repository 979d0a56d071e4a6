/**
 * RedriveExecution's eligibility as AWS documents it ("You can redrive
 * executions if your original execution meets the following conditions"),
 * at its edges: the rule DescribeExecution, RedriveExecution and
 * DescribeMapRun's failuresNotRedrivable share (map-runs.test.ts drives it
 * through the SDK).
 */
import { describe, expect, it } from 'vitest';
import { REDRIVE_LAUNCH_MS, redriveRefusal } from '../../src/local/redrive.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 31);
const failed = { type: 'STANDARD' as const, status: 'FAILED' as const, started: now - DAY, stopped: now - DAY / 2 };

describe('redriveRefusal', () => {
  it('lets an unsuccessful Standard execution be redriven', () => {
    expect(redriveRefusal(failed, 10, now)).toBeUndefined();
    expect(redriveRefusal({ ...failed, status: 'TIMED_OUT' }, 10, now)).toBeUndefined();
    expect(redriveRefusal({ ...failed, status: 'ABORTED' }, 10, now)).toBeUndefined();
  });

  it('refuses one whose history holds 24,999 events or more: room is needed for ExecutionRedriven and one more event', () => {
    expect(redriveRefusal(failed, 24_998, now)).toBeUndefined();
    expect(redriveRefusal(failed, 24_999, now)).toBe('Execution history event limit exceeded');
    expect(redriveRefusal(failed, 25_000, now)).toBe('Execution history event limit exceeded');
  });

  it('refuses one that ended more than 14 days ago', () => {
    expect(redriveRefusal({ ...failed, started: now - 20 * DAY, stopped: now - 14 * DAY }, 10, now)).toBeUndefined();
    expect(redriveRefusal({ ...failed, started: now - 20 * DAY, stopped: now - 14 * DAY - 1 }, 10, now)).toBe('Execution redrivable period exceeded');
  });

  it('refuses one past the maximum open time of one year', () => {
    expect(redriveRefusal({ ...failed, started: now - 366 * DAY }, 10, now)).toBe('Execution has exceeded the max execution time');
  });

  it('refuses a running, succeeded or Express execution with AWS reasons', () => {
    expect(redriveRefusal({ ...failed, status: 'RUNNING', stopped: null }, 10, now)).toBe('Execution is RUNNING and cannot be redriven');
    expect(redriveRefusal({ ...failed, status: 'SUCCEEDED' }, 10, now)).toBe('Execution is SUCCEEDED and cannot be redriven');
    expect(redriveRefusal({ ...failed, type: 'EXPRESS' }, 10, now)).toBe('Execution is an Express execution');
    // AWS gives a Map Run's Express child a reason only once it succeeded.
    expect(redriveRefusal({ ...failed, type: 'EXPRESS', status: 'SUCCEEDED' }, 10, now)).toBe('Execution is SUCCEEDED and cannot be redriven');
  });

  it('refuses one started before RedriveExecution was launched (15 November 2023)', () => {
    const launch = Date.UTC(2023, 10, 15);
    expect(REDRIVE_LAUNCH_MS).toBe(launch);
    const then = launch + 3 * DAY;
    expect(redriveRefusal({ ...failed, started: launch - 1, stopped: launch + DAY }, 10, then)).toBe('Execution was started before the launch of RedriveExecution');
    expect(redriveRefusal({ ...failed, started: launch, stopped: launch + DAY }, 10, then)).toBeUndefined();
  });

  it('refuses any execution of a state machine being deleted, first of all reasons', () => {
    expect(redriveRefusal(failed, 10, now, true)).toBe('State machine is in DELETING status');
    expect(redriveRefusal({ ...failed, status: 'SUCCEEDED' }, 10, now, true)).toBe('State machine is in DELETING status');
    expect(redriveRefusal({ ...failed, status: 'RUNNING', stopped: null }, 30_000, now, true)).toBe('State machine is in DELETING status');
  });
});
