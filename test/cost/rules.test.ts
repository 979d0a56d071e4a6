/**
 * AWS's billing rules, one scenario each, with the bill worked out by hand
 * from the public us-east-1 unit prices and written as arithmetic.
 */
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition, WorkflowType } from '../../src/asl/types.js';
import { Decimal } from '../../src/cost/decimal.js';
import { costCurves, estimate, type EstimateInput, type FunctionSpec, type MachineSpec } from '../../src/cost/estimate.js';
import { bedrockTokens } from '../../src/cost/inputs.js';
import { loadSnapshot } from '../../src/cost/prices/index.js';
import { modelMachine, type UsageHints } from '../../src/cost/usage/model.js';
import { mockedTokenUsage } from '../../src/cost/usage/tokens.js';

const D = (value: string | number) => Decimal.of(value);
const PER_TRANSITION = D('0.000025');
const PER_EXPRESS_REQUEST = D('0.000001');
const EXPRESS_GBS = D('0.00001667');
const GB_64MB = D('0.0625');

function machine(name: string, definition: object, executions: number, options: { hints?: UsageHints; type?: WorkflowType; functions?: Record<string, FunctionSpec> } = {}): MachineSpec {
  const model = modelMachine({ definition: definition as StateMachineDefinition, hints: options.hints, durations: { lambdaMs: (fn) => options.functions?.[fn]?.durationMs ?? 100 } });
  return { name, declaredType: options.type ?? 'STANDARD', model, executionsPerMonth: executions, expressMemoryMB: 64, expressDurationMs: model.durationMs, expressDurations: model.durations };
}

function input(machines: MachineSpec[], functions: Record<string, FunctionSpec> = {}, overrides: Partial<EstimateInput> = {}): EstimateInput {
  const region = loadSnapshot().regions['us-east-1'];
  return {
    machines,
    functionSpec: (name) => functions[name] ?? { memoryMB: 128, durationMs: 100, architecture: 'x86_64' },
    tokenSpec: () => ({ inputTokens: 1000, outputTokens: 300 }),
    prices: { region: 'us-east-1', rates: { ...region.AmazonStates, ...region.AWSLambda, ...region.AmazonBedrockFoundationModels }, sources: [] },
    freeTier: true,
    type: 'declared',
    ...overrides,
  };
}

const passes = (count: number) => {
  const states: Record<string, object> = {};
  for (let i = 1; i <= count; i++) states[`Step${i}`] = i < count ? { Type: 'Pass', Next: `Step${i + 1}` } : { Type: 'Pass', End: true };
  return { StartAt: 'Step1', States: states };
};

const distributedMap = (executionType: 'EXPRESS' | 'STANDARD') => ({
  StartAt: 'Fan',
  States: { Fan: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: executionType }, ...passes(5) }, End: true } },
});

describe('Distributed Map: the parent pays the Map state and one transition per child, each child is billed as its own type', () => {
  it('with Express children: requests and GB-seconds of 1,000 children per execution', () => {
    const result = estimate(input([machine('fanout', distributedMap('EXPRESS'), 1_000, { hints: { mapItems: { Fan: 1_000 } } })]));
    const items = result.scenarios[0].items;
    // Parent: (1 Map state + 1,000 children) × 1,000 executions = 1,001,000 transitions, 4,000 of them free.
    const parent = D(1_001_000 - 4_000).mul(PER_TRANSITION);
    // Children: 1,000,000 Express requests; 5 Pass states take no time, billed as 100 ms at 64 MB.
    const requests = D(1_000_000).mul(PER_EXPRESS_REQUEST);
    const duration = D(1_000_000).mul(GB_64MB).mul('0.1').mul(EXPRESS_GBS);
    expect(items.map((item) => item.item)).toEqual(['State transitions (Standard) · fanout', 'Requests (Express) · fanout › Fan (Distributed Map)', 'Duration (Express) · fanout › Fan (Distributed Map)']);
    expect(items[0].cost!.toString()).toBe(parent.toString());
    expect(items[1].cost!.toString()).toBe(requests.toString());
    expect(items[2].cost!.toString()).toBe(duration.toString());
    expect(result.scenarios[0].total.toString()).toBe(parent.add(requests).add(duration).toString());
    expect(result.scenarios[0].total.toString()).toBe('26.0291875');
  });

  it('with Standard children: each child pays its own 5 transitions', () => {
    const result = estimate(input([machine('fanout', distributedMap('STANDARD'), 1_000, { hints: { mapItems: { Fan: 1_000 } } })]));
    // Parent 1,001,000 transitions take the free 4,000; the children's 1,000 × 1,000 × 5 are all billed.
    const parent = D(1_001_000 - 4_000).mul(PER_TRANSITION);
    const children = D(1_000 * 1_000 * 5).mul(PER_TRANSITION);
    expect(result.scenarios[0].total.toString()).toBe(parent.add(children).toString());
    expect(result.scenarios[0].total.toString()).toBe('149.925');
  });

  it('batches items into fewer children with ItemBatcher', () => {
    const definition = distributedMap('EXPRESS');
    (definition.States.Fan as Record<string, unknown>).ItemBatcher = { MaxItemsPerBatch: 100 };
    const model = modelMachine({ definition: definition as unknown as StateMachineDefinition, hints: { mapItems: { Fan: 1_000 } } });
    // 1,000 items in batches of 100: 10 children, so 1 + 10 parent transitions.
    expect(model.transitions.expected).toBe(11);
    expect(model.children[0].perExecution).toBe(10);
  });
});

describe('the free tier is the account\'s, in every view', () => {
  it('two machines share the 4,000 free transitions in the comparison rows, which add up to the total', () => {
    const result = estimate(input([machine('one', passes(3), 1_000), machine('two', passes(3), 1_000)], {}, { type: 'standard' }));
    const [one, two] = result.comparisons;
    // 3,000 transitions each: `one` takes 3,000 free, `two` the last 1,000 and pays for 2,000.
    expect(one.standard.toString()).toBe('0');
    expect(two.standard.toString()).toBe(D(2_000).mul(PER_TRANSITION).toString());
    expect(one.standard.add(two.standard).toString()).toBe(result.totals.standardSfn.toString());
    expect(result.totals.standardSfn.toString()).toBe(result.scenarios[0].total.toString());
    // Express has no free tier: 1,000 requests + 1,000 × 64 MB × 100 ms each.
    const express = D(1_000).mul(PER_EXPRESS_REQUEST).add(D(1_000).mul(GB_64MB).mul('0.1').mul(EXPRESS_GBS));
    expect(one.express!.toString()).toBe(express.toString());
    expect(one.express!.add(two.express!).toString()).toBe(result.totals.expressSfn.toString());
  });

  it('reports break-even with and without the free tier', () => {
    const result = estimate(input([machine('one', passes(3), 1_000)]));
    const [one] = result.comparisons;
    // Without the free tier: 3 × 0.000025 = 0.000075 a run against 0.000001 + 0.0625 × 0.1 × 0.00001667 ≈ 0.0000011 — Express is always cheaper.
    expect(one.breakEvenWithoutFreeTier).toBeUndefined();
    // With it: Standard is free up to 1,333 runs; (3N − 4,000) × 0.000025 = N × 0.0000011041875
    // at N = 0.1 / (0.000075 − 0.0000011041875) ≈ 1,353.3, so Standard costs more from 1,354 runs on.
    expect(one.breakEven).toBe(1_354);
    expect(one.breakEvenNote).toMatch(/only where the free tier runs out/);
  });
});

describe('Express duration: each execution rounded up to 100 ms, then averaged', () => {
  it('prices the two paths of a Choice apart, not ceil(mean)', () => {
    const lambda = (fn: string) => ({ Type: 'Task', Resource: `arn:aws:lambda:us-east-1:123456789012:function:${fn}`, End: true });
    const definition = {
      StartAt: 'Route',
      States: { Route: { Type: 'Choice', Choices: [{ Variable: '$.big', BooleanEquals: true, Next: 'Slow' }], Default: 'Fast' }, Fast: lambda('fast'), Slow: lambda('slow') },
    };
    const functions: Record<string, FunctionSpec> = { fast: { memoryMB: 128, durationMs: 10, architecture: 'x86_64' }, slow: { memoryMB: 128, durationMs: 310, architecture: 'x86_64' } };
    const spec = machine('route', definition, 1_000_000, { type: 'EXPRESS', hints: { choices: { Route: { Fast: 1, Slow: 1 } } }, functions });
    const result = estimate(input([spec], functions));
    const duration = result.scenarios[0].items.find((item) => item.item === 'Duration (Express) · route')!;
    // Half the runs take 10 ms (billed 100), half 310 ms (billed 400): 250 ms on average; ceil(mean 160 ms) would bill 200.
    const gbs = D(1_000_000).mul(GB_64MB).mul('0.25');
    expect(duration.usage.toString()).toBe(gbs.toString());
    expect(duration.cost!.toString()).toBe(gbs.mul(EXPRESS_GBS).toString());
    expect(duration.cost!.toString()).toBe('0.26046875');
  });

  it('bills memory in 64 MB steps', () => {
    const spec = { ...machine('m', passes(1), 1_000_000, { type: 'EXPRESS' }), expressMemoryMB: 65 };
    const duration = estimate(input([spec])).scenarios[0].items.find((item) => item.unit === 'GB-s')!;
    // 65 MB bills as 128 MB: 1,000,000 × 0.125 GB × 0.1 s.
    expect(duration.usage.toString()).toBe(D(1_000_000).mul('0.125').mul('0.1').toString());
  });
});

describe('what Express cannot run', () => {
  const cases: Array<[string, object, RegExp]> = [
    ['.waitForTaskToken', { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true }, /waits for a task token/],
    ['a .sync integration', { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: {}, End: true }, /\.sync integration \(ecs:runTask\.sync\)/],
    ['an Activity', { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:pack', End: true }, /calls an Activity \(pack\)/],
    ['a run over 5 minutes', { Type: 'Wait', Seconds: 600, End: true }, /expected to take 10 min; Express stops at 5 minutes/],
  ];
  for (const [what, state, reason] of cases) {
    it(`is never called cheaper as Express: ${what}`, () => {
      const result = estimate(input([machine('m', { StartAt: 'S', States: { S: state } }, 10_000_000)]));
      const [comparison] = result.comparisons;
      expect(comparison.express).toBeNull();
      expect(comparison.cheaper).toBe('STANDARD');
      expect(comparison.expressBlockers.join()).toMatch(reason);
    });
  }
});

describe('Bedrock tokens from what the project records', () => {
  const invoke = (name: string, body: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', Body: body }, End: true, Comment: name });
  const mocks = {
    StateMachines: { triage: { TestCases: { A: { Classify: 'One' }, B: { Classify: 'Two' }, C: { Classify: 'Fails' } } } },
    MockedResponses: {
      One: { '0': { Return: { Body: { usage: { input_tokens: 52, output_tokens: 3 } } } } },
      Two: { '0': { Return: { output: {}, usage: { inputTokens: 48, outputTokens: 5 } } } },
      Fails: { '0-2': { Throw: { Error: 'Bedrock.ThrottlingException' } } },
    },
  };

  it('reads InvokeModel and Converse usage from the mocked responses of the state', () => {
    // (52 + 48) / 2 and (3 + 5) / 2; a Throw records nothing.
    expect(mockedTokenUsage(mocks, 'triage', ['Classify'])).toEqual({ inputTokens: 50, outputTokens: 4, responses: 2 });
  });

  it('prices the mocked usage, then max_tokens, then the prompt size, then a stated default', () => {
    const definition = { StartAt: 'Classify', States: { Classify: invoke('mocked', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }) } };
    const assumptions: string[] = [];
    const mocked = bedrockTokens({ machines: [machine('triage', definition, 1_000)], config: {}, mocks, measured: new Map(), assumptions });
    expect(mocked.get('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({ inputTokens: 50, outputTokens: 4 });
    expect(assumptions.join()).toMatch(/50 input tokens per call \(mocked responses\) and 4 output tokens \(mocked responses\)/);

    // No mocks: output capped by max_tokens, input from the 40 characters of written prompt (≈ 4 a token).
    const written = { StartAt: 'Classify', States: { Classify: invoke('written', { max_tokens: 10, system: 'Answer with one word.', messages: [{ role: 'user', content: 'Is it lost or late?' }] }) } };
    const fromRequest = bedrockTokens({ machines: [machine('other', written, 1_000)], config: {}, mocks, measured: new Map(), assumptions: [] });
    expect(fromRequest.get('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({ inputTokens: Math.ceil(40 / 4), outputTokens: 10 });

    // A prompt that comes from the input at run time has no size here: the stated default.
    const dynamic = { StartAt: 'Classify', States: { Classify: invoke('dynamic', { messages: [{ role: 'user', 'content.$': '$.text' }] }) } };
    const defaults: string[] = [];
    const fallback = bedrockTokens({ machines: [machine('other', dynamic, 1_000)], config: {}, measured: new Map(), assumptions: defaults });
    expect(fallback.get('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({ inputTokens: 1_000, outputTokens: 300 });
    expect(defaults.join()).toMatch(/\(default\).*set bedrock\.inputTokens\/outputTokens/);
  });

  it('bills the mocked usage: 1,000 calls × 50 input and 4 output tokens at $1 / $5 per million', () => {
    const definition = { StartAt: 'Classify', States: { Classify: invoke('mocked', {}) } };
    const spec = machine('triage', definition, 1_000);
    const tokens = bedrockTokens({ machines: [spec], config: {}, mocks, measured: new Map(), assumptions: [] });
    const result = estimate({ ...input([spec]), tokenSpec: (id) => tokens.get(id)! });
    const bedrock = result.scenarios[0].items.filter((item) => item.service === 'Bedrock').map((item) => item.cost!.toString());
    expect(bedrock).toEqual([D(1_000 * 50).mul('0.000001').toString(), D(1_000 * 4).mul('0.000005').toString()]);
  });
});

describe('offline coverage', () => {
  const COMMERCIAL = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2'];
  const PUBLISHED: Record<string, string> = { 'us-west-1': '0.0279', 'sa-east-1': '0.0375', 'eu-west-3': '0.0297', 'ap-south-1': '0.0285', 'ap-northeast-2': '0.0271' };
  const definition = {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:check', Next: 'Ask' },
      Ask: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0', Body: {} }, End: true },
    },
  };

  for (const region of COMMERCIAL) {
    it(`prices ${region} from the bundled snapshot with its own transition price`, async () => {
      const { loadPrices } = await import('../../src/cost/prices/index.js');
      const prices = await loadPrices({ region, services: ['AmazonStates', 'AWSLambda', 'AmazonBedrockFoundationModels'], offline: true, cacheDir: '/nonexistent-deliv-cache' });
      const result = estimate(input([machine('m', definition, 1_004_000)], {}, { prices }));
      const transitions = result.scenarios[0].items[0];
      // 1,004,000 × 2 transitions − 4,000 free = 2,004,000 at the region's price per 1,000.
      expect(transitions.cost!.toString()).toBe(D(2_004_000).mul(D(PUBLISHED[region] ?? '0.025')).mul(D('0.001')).toString());
      expect(transitions.rateKey).toBe('sfn.transition');
      // The global Haiku 4.5 profile: $1 / $5 per million tokens wherever it is callable; where Bedrock is not
      // offered (N. California) the line says so and the rest of the bill stands.
      const output = result.scenarios[0].items.find((item) => item.item.startsWith('Output tokens'))!;
      if (region === 'us-west-1') expect(output).toMatchObject({ cost: null, notPriced: expect.stringMatching(/no price for .* output tokens in us-west-1/) });
      else expect(output.cost!.toString()).toBe(D(1_004_000 * 300).mul('0.000005').toString());
    });
  }

  it('labels usage types as the Price List does: Ireland is EU-', async () => {
    const { loadSnapshot: snapshot } = await import('../../src/cost/prices/index.js');
    const ireland = snapshot().regions['eu-west-1'];
    expect(ireland.AmazonStates!['sfn.transition']!.usagetype).toBe('EU-StateTransition');
    expect(ireland.AWSLambda!['lambda.request.x86_64']!.usagetype).toBe('EU-Request');
  });
});

describe('the chart\'s curves', () => {
  it('start early enough to show a break-even and free-tier knee near 1k, and mark the Lambda GB-s knee', () => {
    const lambda = { StartAt: 'F', States: { F: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f', Next: 'P' }, P: { Type: 'Pass', End: true } } };
    const functions: Record<string, FunctionSpec> = { f: { memoryMB: 1024, durationMs: 1000, architecture: 'x86_64' } };
    const chart = costCurves(input([machine('m', lambda, 1_000, { functions })], functions));
    // 2 transitions a run: the free 4,000 last 2,000 runs; 1 GB × 1 s a run: the free 400,000 GB-s last 400,000 runs.
    expect(chart.freeTierKnee).toBe(2_000);
    expect(chart.lambdaComputeKnee).toBe(400_000);
    expect(chart.points[0].executions).toBe(100);
    expect(chart.expressLabel).toBe('Express');
  });

  it('have no Express curve when no machine can run as Express', () => {
    const callback = { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: {}, End: true } } };
    const chart = costCurves(input([machine('m', callback, 1_000)]));
    expect(chart.expressLabel).toBeUndefined();
    expect(chart.breakEven).toBeUndefined();
    expect(chart.points.every((point) => point.express === null)).toBe(true);
  });
});
