/**
 * Offline explanations of executions the engine really ran: the histories are
 * the engine's, not hand-built, so these check that explain reads what the
 * emulator will store.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { JsonValue, StateMachineDefinition } from '../../src/asl/types.js';
import { compile, TaskFailure, virtualClock, type TaskRequest } from '../../src/engine/index.js';
import { extractFailureContext } from '../../src/explain/context.js';
import { renderSections } from '../../src/explain/index.js';
import { explainOffline } from '../../src/explain/offline.js';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:work';
const never = (request: TaskRequest) => new Promise<JsonValue>((_, reject) => request.signal.addEventListener('abort', () => reject(new Error('aborted'))));
const fails = (error: string, cause: string) => () => Promise.reject(new TaskFailure(error, cause));

async function runAndExplain(definition: StateMachineDefinition, input: JsonValue, run: (request: TaskRequest) => Promise<JsonValue> = async () => ({})) {
  const compiled = compile(definition);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const events: HistoryEvent[] = [];
  await compiled.machine.start({
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:orders:run-1',
    name: 'run-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders',
    stateMachineName: 'orders',
    roleArn: 'arn:aws:iam::123456789012:role/orders',
    input,
    clock: virtualClock(),
    runner: { run },
    onEvent: (event) => events.push(event),
  }).result;
  const context = extractFailureContext(events, definition, { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders' });
  return { context, text: renderSections(explainOffline(context)) };
}

describe('offline explanations of executions run by the engine', () => {
  it('States.ResultPathMatchFailure', async () => {
    const { context, text } = await runAndExplain({ StartAt: 'Price', States: { Price: { Type: 'Pass', Result: 12, ResultPath: '$.order.total', End: true } } }, { order: 'o-1' });
    expect(context.error).toBe('States.ResultPathMatchFailure');
    expect(text).toContain('`$.order` in the input is a string ("o-1"), so `$.order.total` cannot place a field inside it');
  });

  it('a missing Parameters path', async () => {
    const { text } = await runAndExplain({ StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: FUNCTION, Parameters: { 'id.$': '$.customer.id' }, End: true } } }, { order: {} });
    expect(text).toContain('The input has no value for `id.$` → `$.customer.id`. `$` has keys `order`; there is no `customer`');
  });

  it('States.Timeout of a task', async () => {
    const { context, text } = await runAndExplain({ StartAt: 'Quote', States: { Quote: { Type: 'Task', Resource: FUNCTION, TimeoutSeconds: 2, End: true } } }, {}, never);
    expect(context.error).toBe('States.Timeout');
    expect(text).toContain('`Quote` did not finish within its TimeoutSeconds (2 s)');
  });

  it('States.HeartbeatTimeout of a callback task', async () => {
    const definition: StateMachineDefinition = {
      StartAt: 'AwaitCourier',
      States: { AwaitCourier: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: FUNCTION, Payload: { 'token.$': '$$.Task.Token' } }, HeartbeatSeconds: 1, TimeoutSeconds: 60, End: true } },
    };
    const { text } = await runAndExplain(definition, {}, never);
    expect(text).toContain('went 1 s without a heartbeat');
  });

  it('an execution time-out', async () => {
    const { context, text } = await runAndExplain({ StartAt: 'Hold', TimeoutSeconds: 5, States: { Hold: { Type: 'Wait', Seconds: 60, End: true } } }, {});
    expect(context.execution.status).toBe('TIMED_OUT');
    expect(text).toContain("TimeoutSeconds of 5 s, while `Hold` was running");
  });

  it('States.NoChoiceMatched', async () => {
    const definition: StateMachineDefinition = { StartAt: 'Route', States: { Route: { Type: 'Choice', Choices: [{ Variable: '$.status', StringEquals: 'PAID', Next: 'Done' }] }, Done: { Type: 'Succeed' } } };
    const { text } = await runAndExplain(definition, { status: 'LOST' });
    expect(text).toContain('`$.status` = "LOST"');
  });

  it('States.IntrinsicFailure', async () => {
    const { text } = await runAndExplain({ StartAt: 'Parse', States: { Parse: { Type: 'Pass', Parameters: { 'x.$': 'States.StringToJson($.raw)' }, End: true } } }, { raw: '{bad' });
    expect(text).toContain('`States.StringToJson($.raw)` could not run on this input');
    expect(text).toContain('The argument is not valid JSON');
  });

  it('States.QueryEvaluationError', async () => {
    const { text } = await runAndExplain({ StartAt: 'Total', QueryLanguage: 'JSONata', States: { Total: { Type: 'Pass', Output: '{% $states.input.items[0].price * 2 %}', End: true } } }, { items: 'none' });
    expect(text).toContain('`{% $states.input.items[0].price * 2 %}` in `Output`');
  });

  it('States.Runtime from an invalid InputPath', async () => {
    const { text } = await runAndExplain({ StartAt: 'Pick', States: { Pick: { Type: 'Pass', InputPath: '$.order', End: true } } }, { basket: 1 });
    expect(text).toContain('`$` has keys `basket`; there is no `order`');
  });

  it('a Lambda handler error, retried until the Retry ran out', async () => {
    const cause = JSON.stringify({ errorType: 'CarrierDown', errorMessage: 'carrier API 503', trace: ['CarrierDown: carrier API 503', '    at quote (/var/task/quote.mjs:9:11)'] });
    const definition: StateMachineDefinition = {
      StartAt: 'Quote',
      States: { Quote: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: FUNCTION, 'Payload.$': '$' }, Retry: [{ ErrorEquals: ['CarrierDown'], MaxAttempts: 2, IntervalSeconds: 1 }], End: true } },
    };
    const { text } = await runAndExplain(definition, { a: 1 }, fails('CarrierDown', cause));
    expect(text).toContain('the `work` handler threw `CarrierDown`: "carrier API 503" (at quote (/var/task/quote.mjs:9:11))');
    expect(text).toContain('It was tried 3 times (Retry on CarrierDown, MaxAttempts 2)');
  });

  it('a failing Parallel branch', async () => {
    const definition: StateMachineDefinition = { StartAt: 'Notify', States: { Notify: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'Sms', States: { Sms: { Type: 'Task', Resource: FUNCTION, End: true } } }] } } };
    const { context } = await runAndExplain(definition, {}, fails('SmsGatewayDown', 'gateway 502'));
    expect(context.failingState).toMatchObject({ name: 'Sms', enclosedBy: ['Notify'] });
  });

  it('States.ExceedToleratedFailureThreshold of a distributed Map', async () => {
    const definition: StateMachineDefinition = {
      StartAt: 'Labels',
      States: { Labels: { Type: 'Map', ToleratedFailureCount: 0, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Print', States: { Print: { Type: 'Task', Resource: FUNCTION, End: true } } }, End: true } },
    };
    const { text } = await runAndExplain(definition, [1, 2], fails('PrinterJammed', 'jam'));
    expect(text).toContain('more Map items failed than allowed by ToleratedFailureCount 0');
    // As on AWS, a Map Run's items run as child executions: the parent's history holds none of their events.
    expect(text).not.toContain('PrinterJammed');
  });

  it('a failure caught by a Parallel, compensated, then re-raised by a Fail state', async () => {
    const cause = JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'the card issuer declined the charge', trace: ['PaymentDeclined: declined', '    at handler (/var/task/charge.mjs:21:44)'] });
    const definition: StateMachineDefinition = {
      StartAt: 'ChargeAndReserve',
      States: {
        ChargeAndReserve: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: FUNCTION, End: true } } }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Refund' }],
          Next: 'Done',
        },
        Refund: { Type: 'Pass', ResultPath: null, Next: 'OrderFailed' },
        OrderFailed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        Done: { Type: 'Succeed' },
      },
    };
    const { context, text } = await runAndExplain(definition, { orderId: 'o-1' }, fails('PaymentDeclined', cause));
    expect(context.handled).toMatchObject([{ state: 'Charge', caughtBy: 'ChargeAndReserve', error: 'PaymentDeclined', wentTo: 'Refund' }]);
    expect(context.otherFailures).toEqual([]);
    expect(text).toContain('`Charge` (in `ChargeAndReserve`) failed with `PaymentDeclined`: "the card issuer declined the charge" (at handler (/var/task/charge.mjs:21:44))');
    expect(text).toContain('The Catch on `ChargeAndReserve` sent the execution to `Refund`, and the workflow then ended at the Fail state `OrderFailed`');
    // The fix names the place of the frame once: the file and line, then the function.
    expect(text).toContain("`Charge`'s data or handler (/var/task/charge.mjs:21:44, in handler)");
  });
});
