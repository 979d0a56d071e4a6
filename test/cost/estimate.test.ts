/**
 * Hand-computed bills. Every expectation is written as arithmetic from the
 * public us-east-1 unit prices below, so a reader can check it by hand.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition, WorkflowType } from '../../src/asl/types.js';
import { Decimal } from '../../src/cost/decimal.js';
import { estimate, type EstimateInput, type FunctionSpec, type MachineSpec } from '../../src/cost/estimate.js';
import { loadSnapshot } from '../../src/cost/prices/index.js';
import type { PriceBook } from '../../src/cost/prices/types.js';
import { modelMachine, type UsageHints } from '../../src/cost/usage/model.js';

const D = (value: string | number) => Decimal.of(value);
// us-east-1, USD
const PER_TRANSITION = D('0.000025'); // $0.025 per 1,000 state transitions
const PER_EXPRESS_REQUEST = D('0.000001'); // $1.00 per million
const EXPRESS_GBS_TIER1 = D('0.00001667'); // first 3,600,000 GB-s (1,000 GB-hours)
const EXPRESS_GBS_TIER2 = D('0.00000833'); // next 14,400,000 GB-s
const PER_LAMBDA_REQUEST = D('0.0000002'); // $0.20 per million
const LAMBDA_GBS_X86 = D('0.0000166667');
const LAMBDA_GBS_ARM = D('0.0000133334');
const FREE_TRANSITIONS = 4_000;
const FREE_LAMBDA_REQUESTS = 1_000_000;
const FREE_LAMBDA_GBS = 400_000;

function usEast1(): PriceBook {
  const region = loadSnapshot().regions['us-east-1'];
  return {
    region: 'us-east-1',
    rates: { ...region.AmazonStates, ...region.AWSLambda, ...region.AmazonBedrock, ...region.AmazonBedrockFoundationModels },
    sources: [],
  };
}

const lambdaTask = (name: string, next: Record<string, unknown>) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, 'Payload.$': '$' },
  ...next,
});

/** Same shape as the order-fulfillment template: Task, Choice, Parallel, callback Task, Wait, SNS, compensation. */
const ORDER_FLOW = {
  StartAt: 'Validate',
  States: {
    Validate: lambdaTask('validate-order', { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Rejected' }], Next: 'InStock' }),
    InStock: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'ChargeAndReserve' }], Default: 'OutOfStock' },
    ChargeAndReserve: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Charge', States: { Charge: lambdaTask('charge-payment', { End: true }) } },
        { StartAt: 'Reserve', States: { Reserve: lambdaTask('reserve-stock', { End: true }) } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }],
      Next: 'Courier',
    },
    Courier: { ...lambdaTask('assign-courier', { Next: 'Pickup' }), Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' },
    Pickup: { Type: 'Wait', SecondsPath: '$.pickupInSeconds', Next: 'Notify' },
    Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:orders', Message: 'picked up' }, End: true },
    Refund: lambdaTask('refund-payment', { Next: 'Failed' }),
    Failed: { Type: 'Fail', Error: 'OrderFailed' },
    OutOfStock: { Type: 'Fail', Error: 'OutOfStock' },
    Rejected: { Type: 'Fail', Error: 'InvalidOrder' },
  },
} as unknown as StateMachineDefinition;

/** The same flow with the courier called request-response, so that it can run as Express too. */
const ORDER_FLOW_RR = {
  ...ORDER_FLOW,
  States: { ...ORDER_FLOW.States, Courier: { ...ORDER_FLOW.States.Courier, Resource: 'arn:aws:states:::lambda:invoke' } },
} as unknown as StateMachineDefinition;

const ORDER_FUNCTIONS: Record<string, FunctionSpec> = {
  'validate-order': { memoryMB: 128, durationMs: 60, architecture: 'x86_64' },
  'charge-payment': { memoryMB: 256, durationMs: 300, architecture: 'x86_64' },
  'reserve-stock': { memoryMB: 128, durationMs: 80, architecture: 'x86_64' },
  'assign-courier': { memoryMB: 256, durationMs: 150, architecture: 'x86_64' },
  'refund-payment': { memoryMB: 256, durationMs: 200, architecture: 'x86_64' },
};
// Always in stock: Validate, InStock, ChargeAndReserve, Charge, Reserve, Courier, Pickup, Notify.
const ORDER_HINTS: UsageHints = { choices: { InStock: { ChargeAndReserve: 1 } } };
const ORDER_TRANSITIONS = 8;
const ORDER_LAMBDA_CALLS = 4;
// GB-s per execution: 128 MB × 60 ms + 256 MB × 300 ms + 128 MB × 80 ms + 256 MB × 150 ms
const ORDER_LAMBDA_GBS = D('0.125').mul('0.06').add(D('0.25').mul('0.3')).add(D('0.125').mul('0.08')).add(D('0.25').mul('0.15')); // 0.13
// Express: 60 + max(300, 80) + 150 + 0 (wait unknown) + 50 (SNS call) = 560 ms → billed 600 ms at 64 MB.
const ORDER_EXPRESS_GBS = D('0.0625').mul('0.6'); // 0.0375 GB-s per execution

function machine(name: string, definition: StateMachineDefinition, executions: number, options: { hints?: UsageHints; type?: WorkflowType; expressMemoryMB?: number; functions?: Record<string, FunctionSpec> } = {}): MachineSpec {
  const functions = options.functions ?? ORDER_FUNCTIONS;
  const model = modelMachine({ definition, hints: options.hints, durations: { lambdaMs: (fn) => functions[fn]?.durationMs ?? 100 } });
  return { name, declaredType: options.type ?? 'STANDARD', model, executionsPerMonth: executions, expressMemoryMB: options.expressMemoryMB ?? 64, expressDurationMs: model.durationMs };
}

function input(machines: MachineSpec[], overrides: Partial<EstimateInput> = {}, functions: Record<string, FunctionSpec> = ORDER_FUNCTIONS): EstimateInput {
  return {
    machines,
    functionSpec: (name) => functions[name] ?? { memoryMB: 128, durationMs: 100, architecture: 'x86_64' },
    tokenSpec: () => ({ inputTokens: 1000, outputTokens: 300 }),
    prices: usEast1(),
    freeTier: true,
    type: 'both',
    ...overrides,
  };
}

const totalOf = (result: ReturnType<typeof estimate>, label: string) => result.scenarios.find((scenario) => scenario.label === label)!.total.toString();

describe('order-fulfillment shape, hand-computed', () => {
  it('below the free tier: 400 executions a month', () => {
    const result = estimate(input([machine('orders', ORDER_FLOW_RR, 400, { hints: ORDER_HINTS })]));
    // 400 × 8 = 3,200 transitions ≤ 4,000 free; 1,600 Lambda requests and 52 GB-s are free too.
    expect(totalOf(result, 'Standard')).toBe('0');
    // Express has no free tier: 400 requests + 400 × 0.0375 GB-s.
    expect(totalOf(result, 'Express')).toBe(D(400).mul(PER_EXPRESS_REQUEST).add(D(400).mul(ORDER_EXPRESS_GBS).mul(EXPRESS_GBS_TIER1)).toString());
    const standard = result.scenarios[0].items;
    expect(standard[0]).toMatchObject({ item: 'State transitions (Standard) · orders' });
    expect(standard[0].usage.toString()).toBe(String(400 * ORDER_TRANSITIONS));
    expect(standard[0].freeTier.toString()).toBe(String(400 * ORDER_TRANSITIONS));
  });

  it('1M executions a month', () => {
    const executions = 1_000_000;
    const result = estimate(input([machine('orders', ORDER_FLOW_RR, executions, { hints: ORDER_HINTS })]));
    const transitions = D(executions * ORDER_TRANSITIONS - FREE_TRANSITIONS).mul(PER_TRANSITION); // $199.90
    const lambdaRequests = D(executions * ORDER_LAMBDA_CALLS - FREE_LAMBDA_REQUESTS).mul(PER_LAMBDA_REQUEST); // $0.60
    // 1M × 0.13 = 130,000 GB-s, all inside the 400,000 free.
    expect(D(executions).mul(ORDER_LAMBDA_GBS).lt(FREE_LAMBDA_GBS)).toBe(true);
    expect(totalOf(result, 'Standard')).toBe(transitions.add(lambdaRequests).toString());
    expect(totalOf(result, 'Standard')).toBe('200.5');
    const express = D(executions).mul(PER_EXPRESS_REQUEST).add(D(executions).mul(ORDER_EXPRESS_GBS).mul(EXPRESS_GBS_TIER1));
    expect(totalOf(result, 'Express')).toBe(express.add(lambdaRequests).toString());
    // SNS is listed, not priced, and not dropped.
    const sns = result.scenarios[0].items.find((item) => item.service === 'SNS')!;
    expect(sns).toMatchObject({ cost: null, item: 'sns:publish · Notify' });
    expect(sns.usage.toString()).toBe('1000000');
  });

  it('50M executions a month', () => {
    const executions = 50_000_000;
    const result = estimate(input([machine('orders', ORDER_FLOW_RR, executions, { hints: ORDER_HINTS })]));
    const transitions = D(executions * ORDER_TRANSITIONS - FREE_TRANSITIONS).mul(PER_TRANSITION); // $9,999.90
    const lambdaRequests = D(executions * ORDER_LAMBDA_CALLS - FREE_LAMBDA_REQUESTS).mul(PER_LAMBDA_REQUEST); // $39.80
    const lambdaCompute = D(executions).mul(ORDER_LAMBDA_GBS).sub(FREE_LAMBDA_GBS).mul(LAMBDA_GBS_X86); // 6,100,000 GB-s
    expect(totalOf(result, 'Standard')).toBe(transitions.add(lambdaRequests).add(lambdaCompute).toString());
    expect(totalOf(result, 'Standard')).toBe('10141.36687');
    // 50M × 0.0375 = 1,875,000 GB-s: still in the first Express tier.
    const express = D(executions).mul(PER_EXPRESS_REQUEST).add(D(executions).mul(ORDER_EXPRESS_GBS).mul(EXPRESS_GBS_TIER1));
    expect(totalOf(result, 'Express')).toBe(express.add(lambdaRequests).add(lambdaCompute).toString());
    expect(result.totals.cheaper).toBe('EXPRESS');
  });

  it('crosses the Express duration tiers with bigger executions', () => {
    const executions = 50_000_000;
    const result = estimate(input([machine('orders', ORDER_FLOW_RR, executions, { hints: ORDER_HINTS, expressMemoryMB: 500 })], { type: 'express' }));
    // 500 MB bills as 512 MB: 0.5 GB × 0.6 s × 50M = 15,000,000 GB-s = 3,600,000 at tier 1 + 11,400,000 at tier 2.
    const duration = result.scenarios[0].items.find((item) => item.item.startsWith('Duration (Express)'))!;
    expect(duration.usage.toString()).toBe('15000000');
    expect(duration.cost!.toString()).toBe(D(3_600_000).mul(EXPRESS_GBS_TIER1).add(D(11_400_000).mul(EXPRESS_GBS_TIER2)).toString());
  });

  it('names the cheaper type and the break-even volume of the Step Functions charges', () => {
    const result = estimate(input([machine('orders', ORDER_FLOW_RR, 1_000_000, { hints: ORDER_HINTS })]));
    const [comparison] = result.comparisons;
    expect(comparison.standard.toString()).toBe(D(1_000_000 * 8 - 4_000).mul(PER_TRANSITION).toString());
    expect(comparison.cheaper).toBe('EXPRESS');
    // Standard (8N − 4,000) × 0.000025 against Express N × (0.000001 + 0.0375 × 0.00001667):
    // equal at N = 0.1 / (0.0002 − 0.000001625125) ≈ 504.1, so Standard costs more from 505 executions on.
    expect(comparison.breakEven).toBe(505);
    const noFreeTier = estimate(input([machine('orders', ORDER_FLOW_RR, 1_000_000, { hints: ORDER_HINTS })], { freeTier: false }));
    expect(noFreeTier.comparisons[0].breakEven).toBeUndefined();
    // With the free tier, 505 is only where the free transitions run out: without it Express is cheaper at any volume.
    expect(comparison.breakEvenWithoutFreeTier).toBeUndefined();
    expect(comparison.breakEvenNote).toMatch(/only where the free tier runs out/);
  });

  it('never calls a machine that waits for a task token cheaper as Express', () => {
    const result = estimate(input([machine('orders', ORDER_FLOW, 1_000_000, { hints: ORDER_HINTS })]));
    const [comparison] = result.comparisons;
    expect(comparison.express).toBeNull();
    expect(comparison.cheaper).toBe('STANDARD');
    expect(comparison.breakEven).toBeUndefined();
    expect(comparison.expressBlockers).toEqual(['Courier waits for a task token (.waitForTaskToken)']);
    // "Express where possible" keeps it Standard: the two whole-project totals are the same bill.
    expect(totalOf(result, 'Express')).toBe(totalOf(result, 'Standard'));
    expect(result.totals.cheaper).toBe('same');
  });
});

describe('account-wide free tier and other line items', () => {
  it('applies the 4,000 free transitions once across machines', () => {
    const small = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } } as unknown as StateMachineDefinition;
    const result = estimate(input([machine('one', small, 1_500), machine('two', small, 1_500)], { type: 'standard' }));
    const [one, two] = result.scenarios[0].items;
    // 3,000 transitions each: the first takes 3,000 free, the second the last 1,000.
    expect(one.freeTier.toString()).toBe('3000');
    expect(two.freeTier.toString()).toBe('1000');
    expect(result.scenarios[0].total.toString()).toBe(D(2_000).mul(PER_TRANSITION).toString());
  });

  it('leaves the free tier out with freeTier: false', () => {
    const small = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } as unknown as StateMachineDefinition;
    const result = estimate(input([machine('one', small, 1_000)], { type: 'standard', freeTier: false }));
    expect(result.scenarios[0].total.toString()).toBe(D(1_000).mul(PER_TRANSITION).toString());
    expect(result.scenarios[0].items[0].freeTier.isZero()).toBe(true);
  });

  it('prices arm64 functions at the arm rates', () => {
    const definition = { StartAt: 'F', States: { F: lambdaTask('resize', { End: true }) } } as unknown as StateMachineDefinition;
    const functions = { resize: { memoryMB: 1024, durationMs: 1000, architecture: 'arm64' as const } };
    const result = estimate(input([machine('img', definition, 2_000_000, { functions })], { type: 'standard' }, functions));
    const compute = result.scenarios[0].items.find((item) => item.item === 'Compute (arm64) · resize')!;
    // 2,000,000 × 1 GB × 1 s = 2,000,000 GB-s, 400,000 of them free.
    expect(compute.cost!.toString()).toBe(D(2_000_000 - FREE_LAMBDA_GBS).mul(LAMBDA_GBS_ARM).toString());
  });

  it('prices Bedrock Claude calls per token, per 1K for Claude 3 Haiku and per 1M for Haiku 4.5', () => {
    const definition = {
      StartAt: 'Old',
      States: {
        Old: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'anthropic.claude-3-haiku-20240307-v1:0', Body: {} }, Next: 'New' },
        New: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', Body: {} }, End: true },
      },
    } as unknown as StateMachineDefinition;
    const result = estimate(input([machine('triage', definition, 10_000)], { type: 'standard' }));
    const cost = (item: string) => result.scenarios[0].items.find((line) => line.item === item)!.cost!.toString();
    // 10,000 calls × 1,000 input tokens at $0.00025 per 1K; × 300 output tokens at $0.00125 per 1K.
    expect(cost('Input tokens · anthropic.claude-3-haiku-20240307-v1:0')).toBe(D(10_000 * 1_000 / 1_000).mul('0.00025').toString());
    expect(cost('Output tokens · anthropic.claude-3-haiku-20240307-v1:0')).toBe(D(10_000 * 300 / 1_000).mul('0.00125').toString());
    // Global profile of Haiku 4.5: $1 / $5 per million.
    expect(cost('Input tokens · global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe(D(10_000 * 1_000).mul(1).mul('0.000001').toString());
    expect(cost('Output tokens · global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe(D(10_000 * 300).mul(5).mul('0.000001').toString());
  });

  it('marks a line not priced, with the reason, when its price is missing in the region', () => {
    const definition = { StartAt: 'New', States: { New: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' }, End: true } } } as unknown as StateMachineDefinition;
    const region = loadSnapshot().regions['eu-west-1'];
    const prices: PriceBook = { region: 'eu-west-1', rates: { ...region.AmazonStates, ...region.AmazonBedrockFoundationModels }, sources: [] };
    const result = estimate(input([machine('x', definition, 10)], { prices, type: 'standard' }));
    const [input_, output] = result.scenarios[0].items.filter((item) => item.service === 'Bedrock');
    expect(input_).toMatchObject({ cost: null, notPriced: 'no price for anthropic.claude-3-5-haiku-20241022-v1:0 input tokens in eu-west-1' });
    expect(output.notPriced).toMatch(/output tokens in eu-west-1/);
    // The rest of the bill stands: 10 × 1 transition, all free.
    expect(result.scenarios[0].total.toString()).toBe('0');
  });
});
