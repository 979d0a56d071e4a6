/**
 * An Express execution's ARN is `…:express:<machine>:<name>:<id>`: explain
 * names the execution by its name, not by the id that ends the ARN.
 */
import { describe, expect, it } from 'vitest';
import { extractFailureContext } from '../../src/explain/context.js';
import { HistoryBuilder } from './history.js';

const EXPRESS = 'arn:aws:states:eu-west-1:111122223333:express:parcel-routing:route-42:0d9e3f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a';

describe('the failure context of an Express execution', () => {
  it('names the execution, not the id that ends its ARN', () => {
    const input = { parcelId: 'P-42' };
    const events = new HistoryBuilder(input)
      .enter('PickRoute', 'Task', input)
      .scheduled('invoke', { FunctionName: 'arn:aws:lambda:eu-west-1:111122223333:function:pick-route', Payload: input }, { timeoutInSeconds: 10 })
      .taskFailed('NoRoute', 'no courier covers 1010-101')
      .failed('NoRoute', 'no courier covers 1010-101');
    const definition = { StartAt: 'PickRoute', States: { PickRoute: { Type: 'Task' as const, Resource: 'arn:aws:states:::lambda:invoke', End: true } } };
    const context = extractFailureContext(events, definition, { executionArn: EXPRESS, workflowType: 'EXPRESS' });
    expect(context.execution.name).toBe('route-42');
    expect(context.execution.arn).toBe(EXPRESS);
    expect(context.failingState?.name).toBe('PickRoute');
    expect(context.error).toBe('NoRoute');
  });
});
