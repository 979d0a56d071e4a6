import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { extractFailureContext, parseHandlerError } from '../../src/explain/context.js';
import { failingTask, HistoryBuilder } from './history.js';

const LAMBDA = 'arn:aws:states:::lambda:invoke';

describe('extractFailureContext', () => {
  it('finds the failing task, its input, parameters, attempts and the Retry that ran out', () => {
    const input = { orderId: 'o-1', amount: 12 };
    const events = failingTask({ name: 'Charge', input, error: 'PaymentDeclined', cause: '{"errorType":"PaymentDeclined","errorMessage":"declined","trace":["PaymentDeclined: declined","    at charge (/var/task/pay.mjs:3:9)"]}', attempts: 3, timeoutInSeconds: 20 });
    const definition: StateMachineDefinition = {
      StartAt: 'Charge',
      TimeoutSeconds: 300,
      States: { Charge: { Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2 }], End: true } },
    };
    const ctx = extractFailureContext(events, definition, { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:orders:run-7', workflowType: 'STANDARD' });
    expect(ctx.execution).toMatchObject({ name: 'run-7', status: 'FAILED', input });
    expect(ctx.workflowType).toBe('STANDARD');
    expect(ctx.queryLanguage).toBe('JSONPath');
    expect(ctx.machineTimeoutSeconds).toBe(300);
    expect(ctx.failingState).toMatchObject({ name: 'Charge', type: 'Task', input, resourceType: 'lambda', timeoutInSeconds: 20, enclosedBy: [] });
    expect(ctx.failingState?.parameters).toMatchObject({ Payload: input });
    expect(ctx.attempts.map((attempt) => attempt.error)).toEqual(['PaymentDeclined', 'PaymentDeclined', 'PaymentDeclined']);
    expect(ctx.retrier?.ErrorEquals).toEqual(['States.ALL']);
    expect(ctx.catchVerdict).toBe('no-catch');
    expect(ctx.handlerError).toEqual({ errorType: 'PaymentDeclined', errorMessage: 'declined', stackTrace: ['PaymentDeclined: declined', '    at charge (/var/task/pay.mjs:3:9)'] });
  });

  it('records a failure a Catch handled and where it went, and the path of states', () => {
    const events = new HistoryBuilder({})
      .enter('Quote', 'Task', {}).scheduled('invoke', {}).taskFailed('CarrierDown', 'down').exit('Quote', 'Task', { err: 1 })
      .enter('Fallback', 'Task', {}).scheduled('invoke', {}).taskSucceeded({}).exit('Fallback', 'Task', {})
      .enter('Book', 'Task', {}).scheduled('invoke', {}).taskFailed('Boom', 'b')
      .failed('Boom', 'b');
    const definition: StateMachineDefinition = {
      StartAt: 'Quote',
      States: {
        Quote: { Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['CarrierDown'], Next: 'Fallback' }], Next: 'Book' },
        Fallback: { Type: 'Task', Resource: LAMBDA, Next: 'Book' },
        Book: { Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['Other'], Next: 'Fallback' }], End: true },
      },
    };
    const ctx = extractFailureContext(events, definition);
    expect(ctx.failingState?.name).toBe('Book');
    expect(ctx.catchVerdict).toBe('no-matching-catch');
    expect(ctx.handled).toEqual([{ state: 'Quote', error: 'CarrierDown', cause: 'down', attempts: 1, catcher: { ErrorEquals: ['CarrierDown'], Next: 'Fallback' }, wentTo: 'Fallback' }]);
    expect(ctx.path).toEqual(['Quote', 'Fallback', 'Book']);
  });

  it('finds a failure inside a Parallel branch, with the branch\'s query language', () => {
    const events = new HistoryBuilder({}).enter('Fan', 'Parallel', {}).event('ParallelStateStarted')
      .enter('Sms', 'Task', { to: 1 }).scheduled('invoke', {}).taskFailed('SmsDown', 'x')
      .event('ParallelStateFailed').failed('SmsDown', 'x');
    const definition: StateMachineDefinition = {
      StartAt: 'Fan',
      States: { Fan: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'Sms', QueryLanguage: 'JSONata', States: { Sms: { Type: 'Task', Resource: LAMBDA, End: true } } }] } },
    };
    const ctx = extractFailureContext(events, definition);
    expect(ctx.failingState).toMatchObject({ name: 'Sms', enclosedBy: ['Fan'] });
    expect(ctx.queryLanguage).toBe('JSONata');
  });

  it('takes the state named in a States.Runtime cause, which cannot be caught', () => {
    const events = new HistoryBuilder({ a: 1 }).enter('Prep', 'Pass', { a: 1 }).exit('Prep', 'Pass', { a: 1 }).enter('Wait', 'Wait', { a: 1 })
      .failed('States.Runtime', "An error occurred while executing the state 'Wait' (entered at the event id #4). The SecondsPath parameter references a negative value: $.a == -1");
    const ctx = extractFailureContext(events, { StartAt: 'Prep', States: { Prep: { Type: 'Pass', Next: 'Wait' }, Wait: { Type: 'Wait', SecondsPath: '$.a', End: true } } });
    expect(ctx.failingState?.name).toBe('Wait');
    expect(ctx.catchVerdict).toBe('not-catchable');
  });

  it('folds repeated states in the path', () => {
    const history = new HistoryBuilder({});
    for (let i = 0; i < 3; i += 1) history.enter('Poll', 'Wait', {}).exit('Poll', 'Wait', {});
    const ctx = extractFailureContext(history.enter('Give', 'Fail', {}).failed('GaveUp'), undefined);
    expect(ctx.path).toEqual(['Poll ×3', 'Give']);
    expect(ctx.failingState?.name).toBe('Give');
  });

  it('parses Python-style stack traces out of a cause', () => {
    const cause = JSON.stringify({ errorMessage: "'postcode'", errorType: 'KeyError', stackTrace: ['  File "/var/task/app.py", line 7, in handler\n    return event["postcode"]\n'] });
    expect(parseHandlerError(cause)?.stackTrace[0]).toContain('app.py", line 7');
    expect(parseHandlerError('plain text')).toBeUndefined();
  });
});
