import { describe, expect, it } from 'vitest';
import { executionNames, isExpressExecutionArn, machineArnOfExecution } from '../../src/aws/arn.js';

// The three shapes of execution ARN AWS documents (Step Functions "Resource ARNs" and Map Run children).
const STANDARD = 'arn:aws:states:eu-west-1:111122223333:execution:order-fulfillment:ord-1001';
const EXPRESS = 'arn:aws:states:eu-west-1:111122223333:express:parcel-routing:run-7:6c1c4b7e-2f0a-4b5e-9d3f-1a2b3c4d5e6f';
const MAP_CHILD = 'arn:aws:states:eu-west-1:111122223333:execution:order-fulfillment/ShipItems:7f3a9c1e-0b2d-4e5f-8a6b-9c0d1e2f3a4b';

describe('execution ARNs', () => {
  it('name the machine and the execution, whatever their kind', () => {
    expect(executionNames(STANDARD)).toEqual({ machine: 'order-fulfillment', name: 'ord-1001', express: false });
    // The id after the name is what makes each Express run's ARN unique; it is neither the machine nor the name.
    expect(executionNames(EXPRESS)).toEqual({ machine: 'parcel-routing', name: 'run-7', express: true });
    expect(executionNames(MAP_CHILD)).toEqual({ machine: 'order-fulfillment', name: '7f3a9c1e-0b2d-4e5f-8a6b-9c0d1e2f3a4b', express: false });
    expect(executionNames('arn:aws:states:eu-west-1:111122223333:stateMachine:parcel-routing')).toBeUndefined();
    expect(executionNames('run-7')).toBeUndefined();
  });

  it('lead back to their state machine', () => {
    expect(machineArnOfExecution(EXPRESS)).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:parcel-routing');
    expect(machineArnOfExecution(STANDARD)).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:order-fulfillment');
    expect(machineArnOfExecution('arn:aws-cn:states:cn-north-1:111122223333:express:m:n:id')).toBe('arn:aws-cn:states:cn-north-1:111122223333:stateMachine:m');
  });

  it('tell an Express execution from a Standard one', () => {
    expect([STANDARD, EXPRESS, MAP_CHILD].map(isExpressExecutionArn)).toEqual([false, true, false]);
  });
});
