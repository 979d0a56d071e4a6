import { describe, expect, it } from 'vitest';
import { firstMatching, firstMatchingIndex, isUncatchable, matchesErrorEquals, StatesErrors } from '../../src/asl/errors.js';
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
