/**
 * Each bundled template priced at three volumes (inside the free tier, 1M and
 * 50M executions a month) as Standard and as Express, against bills worked out
 * by hand from the us-east-1 unit prices. The per-execution figures of each
 * template are derived in the comments from its definition and template.yaml.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Decimal } from '../../src/cost/decimal.js';
import { estimate, type EstimateInput, type FunctionSpec } from '../../src/cost/estimate.js';
import { loadSnapshot } from '../../src/cost/prices/index.js';
import { modelMachine, type UsageHints } from '../../src/cost/usage/model.js';
import { parseDefinition } from '../../src/project/definition.js';
import { REPO_ROOT } from '../helpers/cli.js';

const D = (value: string | number) => Decimal.of(value);
const TEMPLATES = path.join(REPO_ROOT, 'templates');

// us-east-1 unit prices, USD
const PER_TRANSITION = D('0.000025');
const PER_EXPRESS_REQUEST = D('0.000001');
const EXPRESS_GBS = [D('0.00001667'), D('0.00000833')]; // first 3,600,000 GB-s, next 14,400,000
const PER_LAMBDA_REQUEST = D('0.0000002');
const PER_LAMBDA_GBS = D('0.0000166667'); // x86, first 6 billion GB-s
const HAIKU_45_GLOBAL_IN = D('0.000001'); // $1 per 1M tokens
const HAIKU_45_GLOBAL_OUT = D('0.000005'); // $5 per 1M tokens

const positive = (value: Decimal) => (value.isNegative() ? Decimal.ZERO : value);

interface Shape {
  template: string;
  hints: UsageHints;
  /** Billed transitions of one Standard execution. */
  transitions: number;
  lambdaCalls: number;
  /** Lambda GB-s of one execution. */
  lambdaGbs: string;
  /** Express GB-s of one execution: 64 MB × duration rounded up to 100 ms. */
  expressGbs: string;
  bedrock?: { calls: number; inputTokens: number; outputTokens: number };
  belowFreeTier: number;
  /** Why it cannot run as Express: its Express view stays Standard. */
  standardOnly?: string;
}

const SHAPES: Shape[] = [
  {
    // ValidateOrder, CheckStock, IsInStock, ChargeAndReserve, ChargePayment, ReserveStock, AssignCourier, WaitForPickup, NotifyCustomer.
    template: 'order-fulfillment',
    hints: { choices: { IsInStock: { ChargeAndReserve: 1 } }, waitSeconds: { WaitForPickup: 0 } },
    transitions: 9,
    lambdaCalls: 5,
    // 128 MB × 60 ms + 128 × 40 + 256 × 300 + 128 × 80 + 256 × 150 = 138,240 MB-ms = 0.135 GB-s
    lambdaGbs: '0.135',
    // 60 + 40 + max(300, 80) + 150 + 0 + 50 (SNS) = 600 ms; 0.0625 GB × 0.6 s
    expressGbs: '0.0375',
    belowFreeTier: 400, // 3,600 transitions
    standardOnly: 'AssignCourier waits for a task token (.waitForTaskToken)',
  },
  {
    // PrepareOffers, AnyCourierLeft, OfferJob, Dispatched: the first courier accepts.
    template: 'courier-dispatch',
    hints: { choices: { AnyCourierLeft: { OfferJob: 1 } } },
    transitions: 4,
    lambdaCalls: 1,
    // 128 MB × 90 ms
    lambdaGbs: '0.01125',
    // 90 ms → 100 ms; 0.0625 GB × 0.1 s
    expressGbs: '0.00625',
    belowFreeTier: 1_000, // exactly the 4,000 free transitions
  },
  {
    // CheckParcels, RouteParcels, 4 × ComputeRoute, Summarise.
    template: 'parcel-routing',
    hints: { choices: { CheckParcels: { RouteParcels: 1 } }, mapItems: { RouteParcels: 4 } },
    transitions: 7,
    lambdaCalls: 4,
    // 4 × 256 MB × 120 ms
    lambdaGbs: '0.12',
    // MaxConcurrency 4: one wave of 120 ms → 200 ms; 0.0625 GB × 0.2 s
    expressGbs: '0.0125',
    belowFreeTier: 500, // 3,500 transitions
  },
  {
    // CheckComplaint, ClassifyComplaint, RouteComplaint, OpenRefundCase, Resolved.
    template: 'support-triage',
    hints: { choices: { CheckComplaint: { ClassifyComplaint: 1 }, RouteComplaint: { OpenRefundCase: 1 } } },
    transitions: 5,
    lambdaCalls: 1,
    // 128 MB × 70 ms
    lambdaGbs: '0.00875',
    // Bedrock 2,000 ms + 70 ms = 2,070 → 2,100 ms; 0.0625 GB × 2.1 s
    expressGbs: '0.13125',
    bedrock: { calls: 1, inputTokens: 400, outputTokens: 10 },
    belowFreeTier: 800, // 4,000 transitions
  },
];

/** The hand-written bill: free tier once, then unit prices; Express duration tiered. */
function handBill(shape: Shape, executions: number, type: 'STANDARD' | 'EXPRESS'): Decimal {
  const n = D(executions);
  let sfn: Decimal;
  if (type === 'STANDARD') {
    sfn = positive(n.mul(shape.transitions).sub(4_000)).mul(PER_TRANSITION);
  } else {
    const gbs = n.mul(shape.expressGbs);
    const tier1 = Decimal.min(gbs, D(3_600_000));
    sfn = n.mul(PER_EXPRESS_REQUEST).add(tier1.mul(EXPRESS_GBS[0])).add(positive(gbs.sub(3_600_000)).mul(EXPRESS_GBS[1]));
  }
  const lambda = positive(n.mul(shape.lambdaCalls).sub(1_000_000))
    .mul(PER_LAMBDA_REQUEST)
    .add(positive(n.mul(shape.lambdaGbs).sub(400_000)).mul(PER_LAMBDA_GBS));
  const bedrock = shape.bedrock
    ? n.mul(shape.bedrock.calls).mul(D(shape.bedrock.inputTokens).mul(HAIKU_45_GLOBAL_IN).add(D(shape.bedrock.outputTokens).mul(HAIKU_45_GLOBAL_OUT)))
    : Decimal.ZERO;
  return sfn.add(lambda).add(bedrock);
}

/** A template as `deliv init` renders it: `function:` parameters become Lambda ARNs, defaults fill the rest. */
function loadTemplate(name: string) {
  const dir = path.join(TEMPLATES, name);
  const meta = parse(readFileSync(path.join(dir, 'template.yaml'), 'utf8')) as {
    functions: Record<string, { memoryMB?: number; durationMs?: number }>;
    parameters: Record<string, { function?: string; default?: string }>;
  };
  const substitutions: Record<string, string> = {};
  for (const [parameter, spec] of Object.entries(meta.parameters ?? {})) {
    if (spec.function) substitutions[parameter] = `arn:aws:lambda:us-east-1:123456789012:function:${spec.function}`;
    else if (spec.default) substitutions[parameter] = spec.default.replace('{region}', 'us-east-1').replace('{account}', '123456789012');
  }
  const loaded = parseDefinition(readFileSync(path.join(dir, 'statemachine.asl.yaml'), 'utf8'), `${name}.asl.yaml`, substitutions);
  expect(loaded.unresolved).toEqual([]);
  const functions: Record<string, FunctionSpec> = {};
  for (const [fn, spec] of Object.entries(meta.functions ?? {})) {
    functions[fn] = { memoryMB: spec.memoryMB ?? 128, durationMs: spec.durationMs ?? 100, architecture: 'x86_64' };
  }
  return { definition: loaded.definition, functions };
}

function priceTemplate(shape: Shape, executions: number) {
  const { definition, functions } = loadTemplate(shape.template);
  const model = modelMachine({ definition, hints: shape.hints, durations: { lambdaMs: (fn) => functions[fn].durationMs } });
  const region = loadSnapshot().regions['us-east-1'];
  const input: EstimateInput = {
    machines: [{ name: shape.template, declaredType: 'STANDARD', model, executionsPerMonth: executions, expressMemoryMB: 64, expressDurationMs: model.durationMs }],
    functionSpec: (fn) => functions[fn],
    tokenSpec: () => ({ inputTokens: shape.bedrock?.inputTokens ?? 0, outputTokens: shape.bedrock?.outputTokens ?? 0 }),
    prices: { region: 'us-east-1', rates: { ...region.AmazonStates, ...region.AWSLambda, ...region.AmazonBedrockFoundationModels }, sources: [] },
    freeTier: true,
    type: 'both',
  };
  return { model, result: estimate(input) };
}

describe('bundled templates, hand-computed bills', () => {
  for (const shape of SHAPES) {
    describe(shape.template, () => {
      it('has the per-execution usage worked out above', () => {
        const { model } = priceTemplate(shape, 1);
        expect(model.transitions.expected).toBeCloseTo(shape.transitions, 9);
        const lambdaCalls = model.calls.filter((call) => call.call.kind === 'lambda').reduce((sum, call) => sum + call.perExecution, 0);
        expect(lambdaCalls).toBeCloseTo(shape.lambdaCalls, 9);
      });

      for (const executions of [shape.belowFreeTier, 1_000_000, 50_000_000]) {
        it(`${executions.toLocaleString('en-US')} executions a month, Standard and Express`, () => {
          const { result } = priceTemplate(shape, executions);
          const [standard, express] = result.scenarios;
          expect(standard.total.toString()).toBe(handBill(shape, executions, 'STANDARD').toString());
          expect(express.total.toString()).toBe(handBill(shape, executions, shape.standardOnly ? 'STANDARD' : 'EXPRESS').toString());
          expect(result.comparisons[0].express === null).toBe(Boolean(shape.standardOnly));
          if (shape.standardOnly) expect(result.comparisons[0].expressBlockers).toEqual([shape.standardOnly]);
          if (executions === shape.belowFreeTier && !shape.bedrock) expect(standard.total.toString()).toBe('0');
        });
      }
    });
  }

  it('worked example: order-fulfillment at 1M executions as Standard is $225.70', () => {
    // (9 × 1M − 4,000) × $0.000025 = $224.90; (5M − 1M free) × $0.0000002 = $0.80; 135,000 GB-s is inside the free 400,000.
    expect(handBill(SHAPES[0], 1_000_000, 'STANDARD').toString()).toBe('225.7');
    const { result } = priceTemplate(SHAPES[0], 1_000_000);
    expect(result.scenarios[0].total.toString()).toBe('225.7');
  });

  it('worked example: support-triage at 50M executions as Express crosses into the second duration tier', () => {
    // 50M × 0.13125 = 6,562,500 GB-s: 3,600,000 × $0.00001667 + 2,962,500 × $0.00000833 = $60.012 + $24.677625.
    const { result } = priceTemplate(SHAPES[3], 50_000_000);
    const duration = result.scenarios[1].items.find((item) => item.item.startsWith('Duration (Express)'))!;
    expect(duration.cost!.toString()).toBe('84.689625');
  });
});
