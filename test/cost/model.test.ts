import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { modelMachine } from '../../src/cost/usage/model.js';

const lambda = (name: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, 'Payload.$': '$' },
  ...extra,
});

/** The order-fulfillment shape: Task with Retry/Catch, Choice, Parallel, callback Task, Wait, SNS, compensation path. */
const orderFlow = {
  StartAt: 'Validate',
  States: {
    Validate: lambda('validate-order', {
      Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rejected' }],
      Next: 'InStock',
    }),
    InStock: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'ChargeAndReserve' }], Default: 'OutOfStock' },
    ChargeAndReserve: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Charge', States: { Charge: lambda('charge-payment', { Retry: [{ ErrorEquals: ['Busy'], MaxAttempts: 2 }], End: true }) } },
        { StartAt: 'Reserve', States: { Reserve: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:reserve-stock', End: true } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }],
      Next: 'Courier',
    },
    Courier: { ...lambda('assign-courier'), Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Next: 'Pickup' },
    Pickup: { Type: 'Wait', SecondsPath: '$.pickupInSeconds', Next: 'Notify' },
    Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'hi' }, End: true },
    Refund: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:refund-payment', Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'OrderFailed' },
    OutOfStock: { Type: 'Fail', Error: 'OutOfStock' },
    Rejected: { Type: 'Fail', Error: 'Invalid' },
  },
} as unknown as StateMachineDefinition;

const perExecution = (model: ReturnType<typeof modelMachine>, key: string) => model.calls.find((call) => call.key === key)?.perExecution;

describe('static usage model', () => {
  it('walks the happy path and the even split of a Choice with no weights, and says so', () => {
    const model = modelMachine({ definition: orderFlow });
    // In stock: Validate, InStock, ChargeAndReserve + Charge + Reserve, Courier, Pickup, Notify = 8.
    // Out of stock: Validate, InStock, OutOfStock = 3. Even split: (8 + 3) / 2.
    expect(model.transitions.expected).toBeCloseTo((8 + 3) / 2, 10);
    expect(model.transitions.min).toBe(3);
    expect(model.assumptions.join('\n')).toMatch(/InStock: no branch weights, even split over ChargeAndReserve, OutOfStock/);
    expect(perExecution(model, 'lambda:validate-order')).toBe(1);
    expect(perExecution(model, 'lambda:charge-payment')).toBeCloseTo(0.5, 10);
    expect(perExecution(model, 'sns:publish')).toBeCloseTo(0.5, 10);
    expect(model.calls.find((call) => call.key === 'sns:publish')?.call.kind).toBe('integration');
  });

  it('takes Choice weights from the usage file', () => {
    const model = modelMachine({ definition: orderFlow, hints: { choices: { InStock: { ChargeAndReserve: 9, OutOfStock: 1 } } } });
    expect(model.transitions.expected).toBeCloseTo(0.9 * 8 + 0.1 * 3, 10);
    expect(model.assumptions.join('\n')).not.toMatch(/even split/);
  });

  it('rejects weights for a branch the Choice does not have, as a problem of the usage file', () => {
    expect(() => modelMachine({ definition: orderFlow, hints: { choices: { InStock: { Nowhere: 1 } } } })).toThrow(/choices\.InStock\.Nowhere/);
    expect(() => modelMachine({ definition: orderFlow, hints: { choices: { InStock: { Nowhere: 1 } } } })).toThrow(expect.objectContaining({ code: 'FILE_PROBLEM' }));
    expect(() => modelMachine({ definition: orderFlow, hints: { failureRates: { Validate: 2 } } })).toThrow(expect.objectContaining({ code: 'FILE_PROBLEM' }));
  });

  it('counts expected retries and the catch route from failure rates', () => {
    const model = modelMachine({
      definition: orderFlow,
      hints: { choices: { InStock: { ChargeAndReserve: 1 } }, failureRates: { Validate: 0.1 } },
    });
    // Attempts of Validate: 1 + 0.1 + 0.01 + 0.001 (three retries); all four fail with 0.1^4 → caught to Rejected.
    const attempts = 1 + 0.1 + 0.01 + 0.001;
    const failed = 0.1 ** 4;
    const transitions = attempts + (1 - failed) * (1 + 3 + 1 + 1 + 1) + failed * 1;
    expect(model.transitions.expected).toBeCloseTo(transitions, 10);
    expect(perExecution(model, 'lambda:validate-order')).toBeCloseTo(attempts, 10);
    expect(model.assumptions.join('\n')).toMatch(/Validate: 10% of attempts fail, retried up to 3 times, then caught to Rejected/);
  });

  it('bounds the maximum by every retry and the longest route', () => {
    const model = modelMachine({ definition: orderFlow });
    // Validate 1+3 retries, InStock, ChargeAndReserve (1 + Charge 1+2 + Reserve 1), Courier, Pickup, Notify.
    expect(model.transitions.max).toBe(4 + 1 + 5 + 1 + 1 + 1);
  });

  it('multiplies Map iterations by items, from the usage file or from the sample events', () => {
    const definition = {
      StartAt: 'Pack',
      States: {
        Pack: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Weigh', States: { Weigh: { Type: 'Pass', Next: 'Label' }, Label: lambda('label', { End: true }) } },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;
    const fromHints = modelMachine({ definition, hints: { mapItems: { Pack: { min: 1, expected: 3, max: 10 } } } });
    expect(fromHints.transitions).toEqual({ min: 1 + 1 * 2, expected: 1 + 3 * 2, max: 1 + 10 * 2 });
    expect(perExecution(fromHints, 'lambda:label')).toBe(3);
    const fromEvents = modelMachine({ definition, sampleInputs: [{ items: [1, 2] }, { items: [1, 2, 3, 4] }] });
    expect(fromEvents.transitions).toEqual({ min: 1 + 2 * 2, expected: 1 + 3 * 2, max: 1 + 4 * 2 });
    expect(fromEvents.assumptions.join('\n')).toMatch(/Pack: 3 items per execution on average \(2–4\), counted in 2 sample event/);
    const unknown = modelMachine({ definition });
    expect(unknown.transitions.expected).toBe(3);
    expect(unknown.assumptions.join('\n')).toMatch(/Pack: 1 item per execution assumed/);
  });

  it('averages Map items only over the sample events the Choice routing sends to the Map', () => {
    const definition = {
      StartAt: 'Kind',
      States: {
        Kind: { Type: 'Choice', Choices: [{ Variable: '$.bulk', BooleanEquals: true, Next: 'Split' }], Default: 'Single' },
        Split: { Type: 'Map', ItemsPath: '$.parcels', ItemProcessor: { StartAt: 'Label', States: { Label: { Type: 'Pass', End: true } } }, End: true },
        Single: { Type: 'Pass', End: true },
      },
    } as unknown as StateMachineDefinition;
    // The third event carries 100 parcels but is not bulk: the Choice sends it to Single, so it says nothing of Split.
    const sampleInputs = [{ bulk: true, parcels: [1, 2, 3, 4, 5, 6] }, { bulk: true, parcels: [1, 2] }, { bulk: false, parcels: Array.from({ length: 100 }, (_, i) => i) }];
    const model = modelMachine({ definition, sampleInputs });
    // Split: (6 + 2) / 2 = 4 items. Kind 1 + even split: ½ × (Split 1 + 4 × Label 1) + ½ × Single 1 = 1 + 2.5 + 0.5.
    expect(model.transitions.expected).toBe(1 + 0.5 * (1 + 4 * 1) + 0.5 * 1);
    expect(model.assumptions.join('\n')).toContain('Split: 4 items per execution on average (2–6), counted in 2 sample event(s) (the 1 other sample event(s) the Choice routing sends elsewhere)');

    // An event the Choice cannot decide from its input alone (no `bulk`: a state before would compute it) may go either way, so it counts.
    const undecided = modelMachine({ definition, sampleInputs: [...sampleInputs, { parcels: [1, 2, 3, 4, 5, 6, 7] }] });
    expect(undecided.assumptions.join('\n')).toContain('Split: 5 items per execution on average (2–7), counted in 3 sample event(s)');
  });

  it('runs loops as often as the usage file says, and bounds the maximum by it', () => {
    const definition = {
      StartAt: 'Poll',
      States: {
        Poll: lambda('poll-courier', { Next: 'Arrived' }),
        Arrived: { Type: 'Choice', Choices: [{ Variable: '$.arrived', BooleanEquals: true, Next: 'Done' }], Default: 'Pause' },
        Pause: { Type: 'Wait', Seconds: 60, Next: 'Poll' },
        Done: { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;
    const model = modelMachine({ definition, hints: { loops: { Arrived: { expected: 4, max: 6 } } } });
    // Poll and Arrived run 4 times, Pause 3 times, Done once.
    expect(model.transitions.expected).toBeCloseTo(4 + 4 + 3 + 1, 10);
    expect(perExecution(model, 'lambda:poll-courier')).toBeCloseTo(4, 10);
    expect(model.transitions.max).toBe(6 * 3 + 1);
    expect(model.transitions.min).toBe(3);
    expect(model.durationMs).toBeCloseTo(4 * 100 + 3 * 60_000, 6);
    const unbounded = modelMachine({ definition });
    // Even split: the loop runs twice on average; the maximum uses the default bound and says so.
    expect(unbounded.transitions.expected).toBeCloseTo(2 + 2 + 1 + 1, 10);
    expect(unbounded.assumptions.join('\n')).toMatch(/at most 10 rounds/);
  });

  it('refuses a loop that never ends on the expected path', () => {
    const definition = {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } },
    } as unknown as StateMachineDefinition;
    expect(() => modelMachine({ definition })).toThrow(/never ends/);
  });

  it('knows Bedrock models, placeholders and activities', () => {
    const definition = {
      StartAt: 'Ask',
      States: {
        Ask: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', Body: {} }, Next: 'Fn' },
        Fn: { Type: 'Task', Resource: '${TriageFunctionArn}', Next: 'Human' },
        Human: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:review', End: true },
      },
    } as unknown as StateMachineDefinition;
    const model = modelMachine({ definition });
    expect(model.calls.map((call) => call.key)).toEqual(['bedrock:anthropic.claude-3-haiku-20240307-v1:0', 'lambda:TriageFunctionArn', 'activity:review']);
    expect(model.durationMs).toBe(2000 + 100 + 50);
  });
});
