import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import type { State, StateMachineDefinition } from '../../src/asl/types.js';
import { extractFailureContext } from '../../src/explain/context.js';
import { explainOffline } from '../../src/explain/offline.js';
import { renderSections } from '../../src/explain/index.js';
import { awsFixture } from '../helpers/corpus.js';
import { failingState, failingTask, HistoryBuilder } from './history.js';

const LAMBDA = 'arn:aws:states:::lambda:invoke';

function machine(states: Record<string, State>, extra: Partial<StateMachineDefinition> = {}): StateMachineDefinition {
  return { StartAt: Object.keys(states)[0], States: states, ...extra };
}

function explain(events: HistoryEvent[], definition: StateMachineDefinition): string {
  return renderSections(explainOffline(extractFailureContext(events, definition, { stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders' })));
}

const task = (fields: Record<string, unknown> = {}): State => ({ Type: 'Task', Resource: LAMBDA, End: true, ...fields }) as State;

describe('offline explanations of the predefined States.* errors', () => {
  it('States.ResultPathMatchFailure names the ResultPath and where the input is not an object', () => {
    const input = { order: 'ord-1', items: [1] };
    const text = explain(
      failingState({ name: 'Price', input, error: 'States.ResultPathMatchFailure', cause: "Unable to apply ResultPath '$.order.total' to input" }),
      machine({ Price: task({ ResultPath: '$.order.total' }) }),
    );
    expect(text).toContain('ResultPath `$.order.total`');
    expect(text).toContain('`$.order` in the input is a string');
    expect(text).toContain('Input shape: {order: string, items: [number]}');
  });

  it('States.ParameterPathFailure names the missing field and what the input has instead', () => {
    const input = { order: { id: 'o-1' } };
    const text = explain(
      failingState({ name: 'Charge', input, error: 'States.ParameterPathFailure', cause: "An error occurred while executing the state 'Charge' (entered at the event id #2). The JSONPath '$.customer.id' specified for the field 'customerId.$' could not be found in the input '{\"order\":{\"id\":\"o-1\"}}'" }),
      machine({ Charge: task({ Parameters: { 'customerId.$': '$.customer.id', 'orderId.$': '$.order.id' } }) }),
    );
    expect(text).toContain('`customerId.$` → `$.customer.id`');
    expect(text).not.toContain('`orderId.$`');
    expect(text).toContain('`$` has keys `order`; there is no `customer`');
  });

  it('States.Timeout on a task gives its TimeoutSeconds', () => {
    const text = explain(
      failingTask({ name: 'QuoteCarrier', input: {}, error: 'States.Timeout', timedOut: true, timeoutInSeconds: 5 }),
      machine({ QuoteCarrier: task({ TimeoutSeconds: 5 }) }),
    );
    expect(text).toContain('did not finish within its TimeoutSeconds (5 s)');
    expect(text).toContain('Raise `TimeoutSeconds` on `QuoteCarrier`');
  });

  it('States.Timeout of a callback task says nobody answered the token', () => {
    const text = explain(
      failingTask({ name: 'AwaitCourier', input: {}, error: 'States.Timeout', timedOut: true, resource: 'invoke.waitForTaskToken', timeoutInSeconds: 3600 }),
      machine({ AwaitCourier: task({ Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', TimeoutSeconds: 3600 }) }),
    );
    expect(text).toContain('(3600 s)');
    expect(text).toContain('nobody called `SendTaskSuccess`');
  });

  it('an execution time-out gives the state machine TimeoutSeconds and the state that was running', () => {
    const events = new HistoryBuilder({}).enter('Wait', 'Wait', {}).timedOut();
    const text = explain(events, machine({ Wait: { Type: 'Wait', Seconds: 600, End: true } }, { TimeoutSeconds: 30 }));
    expect(text).toContain("state machine's TimeoutSeconds of 30 s, while `Wait` was running");
  });

  it('States.HeartbeatTimeout gives HeartbeatSeconds', () => {
    const text = explain(
      failingTask({ name: 'Pack', input: {}, error: 'States.HeartbeatTimeout', timedOut: true, heartbeatInSeconds: 60 }),
      machine({ Pack: task({ HeartbeatSeconds: 60 }) }),
    );
    expect(text).toContain('went 60 s without a heartbeat');
    expect(text).toContain('SendTaskHeartbeat');
  });

  it('States.TaskFailed quotes the cause', () => {
    const text = explain(failingTask({ input: {}, error: 'States.TaskFailed', cause: 'the worker gave up' }), machine({ Work: task() }));
    expect(text).toContain('"the worker gave up"');
  });

  it('States.Permissions names the IAM action of the integration', () => {
    const text = explain(
      failingTask({ name: 'Save', input: {}, error: 'States.Permissions', cause: 'not authorized', resourceType: 'dynamodb', resource: 'putItem', parameters: { TableName: 'orders' } }),
      machine({ Save: task({ Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 'orders' } }) }),
    );
    expect(text).toContain('`dynamodb:PutItem`');
    expect(text).toContain('"Resource": ["orders"]');
  });

  it('States.QueryEvaluationError quotes the JSONata expression and field', () => {
    const cause = "An error occurred while executing the state 'State0' (entered at the event id #2). The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).";
    const text = explain(failingState({ name: 'State0', type: 'Pass', input: { a: 1 }, error: 'States.QueryEvaluationError', cause }), machine({ State0: { Type: 'Pass', End: true } }, { QueryLanguage: 'JSONata' }));
    expect(text).toContain('`{% $doesNotExist %}` in `Assign/result`');
  });

  it('States.BranchFailed points at the branch state that failed', () => {
    const events = new HistoryBuilder({}).enter('Fanout', 'Parallel', {}).event('ParallelStateStarted').enter('Notify', 'Task', {})
      .scheduled('invoke', {}).taskFailed('SmsGatewayError', 'gateway down').failed('States.BranchFailed', 'branch 1 failed');
    const definition = machine({ Fanout: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'Notify', States: { Notify: task() } }] } });
    const text = explain(events, definition);
    expect(text).toContain('a branch of the Parallel state failed');
    expect(text).toContain('`Notify` failed with `SmsGatewayError`');
  });

  it('States.NoChoiceMatched shows the value the Choice rules looked at', () => {
    const input = { status: 'LOST' };
    const text = explain(
      failingState({ name: 'Route', type: 'Choice', input, error: 'States.NoChoiceMatched', cause: 'No Matches!' }),
      machine({ Route: { Type: 'Choice', Choices: [{ Variable: '$.status', StringEquals: 'PAID', Next: 'Ship' }] }, Ship: { Type: 'Succeed' } }),
    );
    expect(text).toContain('`$.status` = "LOST"');
    expect(text).toContain('"Default"');
  });

  it('States.IntrinsicFailure names the intrinsic call', () => {
    const text = explain(
      failingState({ name: 'Build', type: 'Pass', input: { items: [] }, error: 'States.IntrinsicFailure', cause: 'index out of bounds' }),
      machine({ Build: { Type: 'Pass', Parameters: { 'first.$': 'States.ArrayGetItem($.items, 0)' }, End: true } }),
    );
    expect(text).toContain('`States.ArrayGetItem($.items, 0)`');
  });

  it('States.ExceedToleratedFailureThreshold gives the tolerated threshold and the item errors', () => {
    const events = new HistoryBuilder({ parcels: [1, 2] }).enter('EachParcel', 'Map', { parcels: [1, 2] }).event('MapStateStarted').enter('Label', 'Task', 1)
      .scheduled('invoke', {}).taskFailed('LabelPrinterError', 'jammed').failed('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    const definition = machine({ EachParcel: { Type: 'Map', ToleratedFailurePercentage: 10, ItemProcessor: { StartAt: 'Label', States: { Label: task() } }, End: true } });
    const text = explain(events, definition);
    expect(text).toContain('ToleratedFailurePercentage 10');
    expect(text).toContain('Label: `LabelPrinterError`');
  });

  it.each([
    ['States.ItemReaderFailed', 'could not read its items'],
    ['States.ResultWriterFailed', 'could not write its results'],
  ])('%s explains the distributed Map reader/writer', (error, expected) => {
    const definition = machine({ Batch: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'orders', Key: 'in.json' } }, ItemProcessor: { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } }, End: true } });
    const text = explain(failingState({ name: 'Batch', type: 'Map', input: {}, error, cause: 'NoSuchKey' }), definition);
    expect(text).toContain(expected);
    expect(text).toContain('NoSuchKey');
  });

  it('States.DataLimitExceeded gives the size of the input', () => {
    const input = { blob: 'x'.repeat(300_000) };
    const text = explain(failingState({ input, error: 'States.DataLimitExceeded', cause: 'too large' }), machine({ Work: task() }));
    expect(text).toContain('262144 bytes');
    expect(text).toMatch(/this state's input alone is 30001\d bytes/);
  });

  it('States.Runtime with an invalid path says which key is missing', () => {
    const cause = "An error occurred while executing the state 'pass' (entered at the event id #2). Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']";
    const text = explain(failingState({ name: 'pass', type: 'Pass', input: { order: 1 }, error: 'States.Runtime', cause }), machine({ pass: { Type: 'Pass', InputPath: '$.NoSuchInputPath', End: true } }));
    expect(text).toContain('The path `$.NoSuchInputPath` in `pass` matches nothing');
    expect(text).toContain('`$` has keys `order`; there is no `NoSuchInputPath`');
    expect(text).toContain('cannot be retried or caught');
  });

  it('States.ALL raised as an error says it is only a wildcard', () => {
    const text = explain(failingTask({ input: {}, error: 'States.ALL' }), machine({ Work: task() }));
    expect(text).toContain('is a wildcard for Retry and Catch');
  });
});

describe('offline explanations of Lambda and integration errors', () => {
  it.each(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'])('%s recommends the transient-error retrier', (error) => {
    const text = explain(failingTask({ input: {}, error, cause: 'Rate exceeded' }), machine({ Work: task() }));
    expect(text).toContain('AWS recommends retrying it');
    expect(text).toContain('"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"]');
  });

  it('Lambda.TooManyRequestsException names the function and concurrency', () => {
    const text = explain(failingTask({ input: {}, error: 'Lambda.TooManyRequestsException', cause: 'Rate Exceeded.' }), machine({ Work: task() }));
    expect(text).toContain('`work` reached its concurrency limit');
  });

  it('Lambda.Unknown points at memory and time-outs', () => {
    const text = explain(failingTask({ input: {}, error: 'Lambda.Unknown', cause: 'The cause could not be determined because Lambda did not return an error type.' }), machine({ Work: task() }));
    expect(text).toContain('ran out of memory');
    expect(text).toContain('`functions.work`');
  });

  it('Sandbox.Timedout points at the function timeout in deliv.yaml', () => {
    const cause = JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: 1 Error: Task timed out after 3.00 seconds' });
    const text = explain(failingTask({ input: {}, error: 'Sandbox.Timedout', cause }), machine({ Work: task() }));
    expect(text).toContain('`functions.work.timeoutSeconds`');
    expect(text).toContain('Task timed out after 3.00 seconds');
  });

  it('Runtime.ImportModuleError says the module could not be loaded', () => {
    const cause = JSON.stringify({ errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'left-pad'" });
    const text = explain(failingTask({ input: {}, error: 'Runtime.ImportModuleError', cause }), machine({ Work: task() }));
    expect(text).toContain('could not be loaded');
    expect(text).toContain("Cannot find module 'left-pad'");
  });

  it("a handler that could not load is a setup problem, never the input's fault, with the runtime's own advice", () => {
    const cause = JSON.stringify({
      errorType: 'Runtime.ImportModuleError',
      errorMessage:
        "Error: Cannot find package '@acme/geo' imported from functions/route.ts. @acme/geo is not installed: run `npm install` in the project folder (shop), or `npm install @acme/geo` if its package.json does not list it; deliv loads the handler again on the next invocation.",
    });
    const text = explain(failingTask({ input: { orderId: 'A1' }, error: 'Runtime.ImportModuleError', cause }), machine({ Work: task() }));
    expect(text).toContain('setup problem of the project, not a fault of the execution');
    expect(text).toContain('Run `npm install` in the project folder (shop)');
    const syntax = JSON.stringify({ errorType: 'Runtime.UserCodeSyntaxError', errorMessage: "SyntaxError: Unexpected token ';' (functions/route.ts:12:9). Fix the syntax error in functions/route.ts; deliv loads the handler again on the next invocation." });
    const text2 = explain(failingTask({ input: {}, error: 'Runtime.UserCodeSyntaxError', cause: syntax }), machine({ Work: task() }));
    expect(text2).toContain('setup problem');
    expect(text2).toContain('functions/route.ts:12:9');
  });

  it('a handler that could not load, caught and sent to a Fail state, is still a setup problem and not a rejected input', () => {
    // The order-fulfillment template's shape: ValidateOrder catches States.ALL into a Fail state.
    const cause = JSON.stringify({
      errorType: 'Runtime.ImportModuleError',
      errorMessage:
        "Error: Cannot find package '@acme/geo' imported from functions/validate-order.ts. @acme/geo is not installed: run `npm install` in the project folder (shop), or `npm install @acme/geo` if its package.json does not list it; deliv loads the handler again on the next invocation.",
    });
    const input = { orderId: 'A1' };
    const events = new HistoryBuilder(input)
      .enter('ValidateOrder', 'Task', input).scheduled(LAMBDA, { FunctionName: 'validate-order', Payload: input }).taskFailed('Runtime.ImportModuleError', cause)
      .exit('ValidateOrder', 'Task', { ...input, error: { Error: 'Runtime.ImportModuleError', Cause: cause } })
      .enter('RejectOrder', 'Fail', { ...input, error: { Error: 'Runtime.ImportModuleError', Cause: cause } }).failed('InvalidOrder', cause);
    const definition = machine({
      ValidateOrder: task({ End: undefined, Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RejectOrder' }] }),
      RejectOrder: { Type: 'Fail', Error: 'InvalidOrder', CausePath: '$.error.Cause' },
      Done: { Type: 'Succeed' },
    });
    const text = explain(events, definition);
    expect(text).toContain('setup problem of the project, not a fault of the execution');
    expect(text).toContain('Run `npm install` in the project folder (shop)');
    expect(text).toContain('`RejectOrder`');
    expect(text).not.toMatch(/rejected this execution's data|correct the input|failed on purpose/);
  });

  it('a handler TypeError names the property read from undefined and the stack frame', () => {
    const cause = JSON.stringify({
      errorType: 'TypeError',
      errorMessage: "Cannot read properties of undefined (reading 'postcode')",
      trace: ["TypeError: Cannot read properties of undefined (reading 'postcode')", '    at handler (file:///var/task/functions/book-shipment.mjs:7:30)'],
    });
    const text = explain(failingTask({ name: 'Book', input: { orderId: 'o-1' }, error: 'TypeError', cause }), machine({ Book: task() }));
    expect(text).toContain('threw `TypeError`');
    expect(text).toContain('at handler (file:///var/task/functions/book-shipment.mjs:7:30)');
    expect(text).toContain('check `postcode` exists');
  });

  it('a handler business error suggests a Catch for its error name', () => {
    const cause = JSON.stringify({ errorType: 'PaymentDeclined', errorMessage: 'card declined', trace: [] });
    const text = explain(failingTask({ name: 'Charge', input: {}, error: 'PaymentDeclined', cause }), machine({ Charge: task() }));
    expect(text).toContain('`Charge` has no Catch');
    expect(text).toContain('"ErrorEquals": ["PaymentDeclined"]');
  });

  it('retries that ran out are counted, with the Retry rule', () => {
    const text = explain(
      failingTask({ input: {}, error: 'CarrierDown', cause: '{"errorType":"CarrierDown","errorMessage":"503"}', attempts: 3 }),
      machine({ Work: task({ Retry: [{ ErrorEquals: ['CarrierDown'], MaxAttempts: 2 }], Catch: [{ ErrorEquals: ['Other'], Next: 'Work' }] }) }),
    );
    expect(text).toContain('It was tried 3 times (Retry on CarrierDown, MaxAttempts 2)');
    expect(text).toContain("none of `Work`'s Catch rules lists `CarrierDown`");
  });

  it.each([
    ['DynamoDB.ConditionalCheckFailedException', 'condition was false'],
    ['DynamoDB.ProvisionedThroughputExceededException', 'throttled the request'],
    ['DynamoDB.ResourceNotFoundException', 'does not exist'],
    ['SNS.AuthorizationErrorException', 'may not perform this SNS call'],
    ['SNS.InvalidParameterException', 'rejected the request as invalid'],
    ['SQS.QueueDoesNotExistException', 'does not exist'],
    ['SQS.AmazonSQSException', 'returned AmazonSQSException'],
  ])('%s is explained by its service and kind', (error, expected) => {
    const text = explain(failingTask({ input: {}, error, cause: 'service said no', resourceType: error.split('.')[0].toLowerCase() }), machine({ Work: task({ Resource: 'arn:aws:states:::dynamodb:putItem' }) }));
    expect(text).toContain(`integration failed with \`${error}\``);
    expect(text).toContain(expected);
  });

  it('a Fail state says the failure is by design and which state routed there', () => {
    const events = new HistoryBuilder({ total: -1 }).enter('Check', 'Choice', { total: -1 }).exit('Check', 'Choice', { total: -1 })
      .enter('Rejected', 'Fail', { total: -1 }).failed('OrderRejected', 'total must be positive');
    const definition = machine({ Check: { Type: 'Choice', Choices: [{ Variable: '$.total', NumericGreaterThan: 0, Next: 'Ok' }], Default: 'Rejected' }, Rejected: { Type: 'Fail', Error: 'OrderRejected', Cause: 'total must be positive' }, Ok: { Type: 'Succeed' } });
    const text = explain(events, definition);
    expect(text).toContain('reached the Fail state `Rejected`');
    expect(text).toContain('`Check` sent the execution to `Rejected`');
  });
});

describe('the AWS history fixture', () => {
  it('explains BookShipment failing, and the handled QuoteCarrier time-outs as not the cause', () => {
    const { events } = awsFixture<{ events: HistoryEvent[] }>('sfn-get-execution-history-failed.json');
    const definition = machine({
      NormalizeOrder: { Type: 'Pass', Next: 'QuoteCarrier' },
      QuoteCarrier: task({ End: undefined, Next: 'BookShipment', Retry: [{ ErrorEquals: ['CarrierTimeoutError'], MaxAttempts: 1 }], Catch: [{ ErrorEquals: ['CarrierTimeoutError'], ResultPath: '$.quoteError', Next: 'QuoteFallbackCarrier' }] }),
      QuoteFallbackCarrier: task({ End: undefined, Next: 'BookShipment' }),
      BookShipment: task(),
    });
    const text = explain(events, definition);
    expect(text).toContain("the `book-shipment` handler threw `AddressValidationError`: \"Postcode 'SW1A 9ZZ' does not match city 'Leeds'\"");
    expect(text).toContain('at validateAddress (/var/task/index.mjs:112:11)');
    expect(text).toContain('`QuoteCarrier` failed with `CarrierTimeoutError` and the Catch on `QuoteCarrier` sent the execution to `QuoteFallbackCarrier`');
    expect(text).toContain('`BookShipment` has no Catch');
  });
});
