import { describe, expect, it } from 'vitest';
import { firstMatching, firstMatchingIndex, isUncatchable, matchesErrorEquals, StatesErrors, statesAllProblems } from '../../src/asl/errors.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { compile, TaskFailure, virtualClock } from '../../src/engine/index.js';

describe('ErrorEquals matching', () => {
  it('matches a name exactly and case-sensitively', () => {
    expect(matchesErrorEquals(['CarrierDown', 'Lambda.Unknown'], 'Lambda.Unknown')).toBe(true);
    expect(matchesErrorEquals(['carrierdown'], 'CarrierDown')).toBe(false);
    expect(matchesErrorEquals(['A', 'B'], 'C')).toBe(false);
  });

  it('lets States.ALL match every error, States.DataLimitExceeded included (AWS recording s084)', () => {
    expect(matchesErrorEquals([StatesErrors.ALL], 'Anything')).toBe(true);
    expect(matchesErrorEquals([StatesErrors.ALL], StatesErrors.Timeout)).toBe(true);
    expect(matchesErrorEquals([StatesErrors.ALL], StatesErrors.DataLimitExceeded)).toBe(true);
    // A Fail state without Error: only the wildcard names it.
    expect(matchesErrorEquals([StatesErrors.ALL], undefined)).toBe(true);
    expect(matchesErrorEquals([StatesErrors.TaskFailed], undefined)).toBe(false);
  });

  it('lets States.TaskFailed match any known error but States.Timeout', () => {
    expect(matchesErrorEquals([StatesErrors.TaskFailed], 'Lambda.Unknown')).toBe(true);
    expect(matchesErrorEquals([StatesErrors.TaskFailed], StatesErrors.Permissions)).toBe(true);
    expect(matchesErrorEquals([StatesErrors.TaskFailed], StatesErrors.HeartbeatTimeout)).toBe(true);
    expect(matchesErrorEquals([StatesErrors.TaskFailed], StatesErrors.Timeout)).toBe(false);
    expect(matchesErrorEquals([StatesErrors.Timeout], StatesErrors.Timeout)).toBe(true);
  });

  it('never matches States.Runtime, not even by its own name', () => {
    expect(isUncatchable(StatesErrors.Runtime)).toBe(true);
    expect(matchesErrorEquals([StatesErrors.ALL], StatesErrors.Runtime)).toBe(false);
    expect(matchesErrorEquals([StatesErrors.TaskFailed], StatesErrors.Runtime)).toBe(false);
    expect(matchesErrorEquals([StatesErrors.Runtime], StatesErrors.Runtime)).toBe(false);
  });

  it('picks the first handler in definition order, as AWS scans Retry and Catch (s087)', () => {
    const catchers = [
      { ErrorEquals: ['Lambda.Unknown'], Next: 'Unknown' },
      { ErrorEquals: [StatesErrors.TaskFailed], Next: 'TaskFailed' },
      { ErrorEquals: [StatesErrors.ALL], Next: 'All' },
    ];
    expect(firstMatching(catchers, 'Exception')?.Next).toBe('TaskFailed');
    expect(firstMatching(catchers, 'Lambda.Unknown')?.Next).toBe('Unknown');
    expect(firstMatching(catchers, StatesErrors.Timeout)?.Next).toBe('All');
    expect(firstMatchingIndex(catchers, StatesErrors.Runtime)).toBe(-1);
    expect(firstMatching(undefined, 'Exception')).toBeUndefined();
  });
});

describe('the engine follows the same rule', () => {
  const failWith = (error: string) => ({ run: () => Promise.reject(new TaskFailure(error, 'denied')) });
  const definition: StateMachineDefinition = {
    StartAt: 'Charge',
    States: {
      Charge: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Refund' }], End: true },
      Refund: { Type: 'Pass', End: true },
    },
  };

  async function finalState(error: string): Promise<string | undefined> {
    const compiled = compile(definition);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
    const entered: string[] = [];
    const { status } = await compiled.machine.start({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:pay:1',
      name: '1',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:pay',
      stateMachineName: 'pay',
      roleArn: 'arn:aws:iam::123456789012:role/pay',
      input: {},
      clock: virtualClock(),
      runner: failWith(error),
      onEvent: (event) => {
        if (event.stateEnteredEventDetails?.name) entered.push(event.stateEnteredEventDetails.name);
      },
    }).result;
    return status === 'SUCCEEDED' ? entered.at(-1) : status;
  }

  it('catches States.Permissions with a States.TaskFailed catcher, but not States.Timeout', async () => {
    expect(await finalState(StatesErrors.Permissions)).toBe('Refund');
    expect(await finalState('Lambda.AWSLambdaException')).toBe('Refund');
    expect(await finalState(StatesErrors.Timeout)).toBe('FAILED');
  });
});

describe('where States.ALL may stand (one rule for validate, create-time checks and the engine)', () => {
  const catchers = [{ ErrorEquals: [StatesErrors.ALL], Next: 'Refund' }, { ErrorEquals: ['Card.Declined'], Next: 'Tell' }];
  const machine = (Catch: unknown[]) =>
    ({ StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:charge', Catch, End: true }, Refund: { Type: 'Succeed' }, Tell: { Type: 'Succeed' } } }) as unknown as StateMachineDefinition;

  it('alone in its ErrorEquals, and in the last retrier or catcher (States Language spec)', () => {
    expect(statesAllProblems(catchers, 'Catch')).toEqual([{ index: 1, inErrorEquals: false, message: 'comes after Catch[0] which matches States.ALL, so it can never apply; move States.ALL last' }]);
    expect(statesAllProblems([{ ErrorEquals: [StatesErrors.ALL, 'X'] }], 'Retry')).toEqual([{ index: 0, inErrorEquals: true, message: 'States.ALL must be the only error name in its ErrorEquals' }]);
    expect(statesAllProblems([...catchers].reverse(), 'Catch')).toEqual([]);
  });

  it('the engine refuses a catcher after a States.ALL one, as validate does (it used to check retriers only)', () => {
    const compiled = compile(machine(catchers));
    expect(compiled.ok).toBe(false);
    expect(compiled.ok ? [] : compiled.problems.map((problem) => problem.field)).toEqual(['Catch[1]']);
    expect(compile(machine([...catchers].reverse())).ok).toBe(true);
  });
});
