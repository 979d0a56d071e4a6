/**
 * The monthly bill of a set of state machines: line items per service,
 * the free tier as its own column, Standard against Express side by side with
 * the break-even volume, and the curves for the chart.
 */
import type { WorkflowType } from '../asl/types.js';
import { DelivError } from '../ui/errors.js';
import { Decimal } from './decimal.js';
import { Meter } from './pricing.js';
import type { BedrockModelKey, PriceBook, Rate, RateKey } from './prices/types.js';
import type { CallCount, MachineModel, Range } from './usage/model.js';

export type Architecture = 'x86_64' | 'arm64';

export interface FunctionSpec {
  memoryMB: number;
  durationMs: number;
  architecture: Architecture;
}

export interface TokenSpec {
  inputTokens: number;
  outputTokens: number;
}

export interface MachineSpec {
  name: string;
  declaredType: WorkflowType;
  model: MachineModel;
  executionsPerMonth: number;
  expressMemoryMB: number;
  expressDurationMs: number;
  /** Where the transitions came from: the static walk, or measured histories. */
  measuredFrom?: { executions: number };
}

export interface EstimateInput {
  machines: MachineSpec[];
  functionSpec(name: string): FunctionSpec;
  tokenSpec(modelId: string): TokenSpec;
  prices: PriceBook;
  freeTier: boolean;
  /** Which workflow type(s) the itemised table prices: as declared, one forced, or both. */
  type: 'declared' | 'standard' | 'express' | 'both';
}

export interface LineItem {
  service: string;
  item: string;
  machine?: string;
  usage: Decimal;
  unit: string;
  /** How the usage was reached, e.g. "1,000,000 executions × 6.5 transitions". */
  basis?: string;
  rateKey?: RateKey;
  /** USD per unit as published, one per tier the usage fell in. */
  unitPrices: string[];
  /** The unit those prices are per ("StateTransitions", "1M tokens", ...). */
  priceUnit?: string;
  freeTier: Decimal;
  freeTierValue: Decimal;
  /** null: not estimated (a service deliv does not price). */
  cost: Decimal | null;
}

export interface Scenario {
  label: string;
  types: Record<string, WorkflowType>;
  items: LineItem[];
  total: Decimal;
}

export interface Comparison {
  machine: string;
  declaredType: WorkflowType;
  transitionsPerExecution: Range;
  executionsPerMonth: number;
  /** Step Functions charges only (Lambda, Bedrock are the same either way). */
  standard: Decimal;
  express: Decimal;
  cheaper: WorkflowType | 'same';
  /** Executions per month where both cost the same; undefined when one is cheaper everywhere. */
  breakEven?: number;
  notes: string[];
}

export interface CurvePoint {
  executions: number;
  standard: number;
  express: number;
}

export interface Chart {
  points: CurvePoint[];
  breakEven?: number;
  /** Where the Step Functions free tier runs out for Standard. */
  freeTierKnee?: number;
  /** Where the Lambda free requests run out. */
  lambdaFreeTierKnee?: number;
}

export interface Estimate {
  region: string;
  scenarios: Scenario[];
  comparisons: Comparison[];
  /** Whole project as Standard and as Express at the requested volumes. */
  totals: { standard: Decimal; express: Decimal; cheaper: WorkflowType | 'same' };
}

const BEDROCK_MODELS: Array<[RegExp, BedrockModelKey]> = [
  [/claude-3-5-haiku/, 'claude-3-5-haiku'],
  [/claude-3-haiku/, 'claude-3-haiku'],
  [/claude-haiku-4-5/, 'claude-haiku-4-5'],
];

/** The price key of a Bedrock model id; Haiku 4.5 through a `global.` profile has its own (lower) price. */
export function bedrockModelKey(modelId: string): BedrockModelKey | undefined {
  const family = BEDROCK_MODELS.find(([pattern]) => pattern.test(modelId))?.[1];
  if (family === 'claude-haiku-4-5' && modelId.startsWith('global.')) return 'claude-haiku-4-5-global';
  return family;
}

const formatCount = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

function rateFor(prices: PriceBook, key: RateKey, what: string): Rate {
  const rate = prices.rates[key];
  if (!rate) {
    const sources = prices.sources.map((source) => `${source.service}: ${source.kind}`).join(', ');
    throw new DelivError(`no price for ${what} in region \`${prices.region}\``, {
      exitCode: 2,
      hint: `prices came from ${sources}; pick a region where it is sold (--region) or reach the Pricing API`,
    });
  }
  return rate;
}

/** Rounds an expected count of billed things to whole ones. */
function whole(value: number): Decimal {
  return Decimal.of(Math.round(value));
}

function expressBilling(spec: MachineSpec): { memoryMB: number; durationMs: number } {
  return {
    memoryMB: Math.max(64, Math.ceil(spec.expressMemoryMB / 64) * 64),
    durationMs: Math.max(100, Math.ceil(spec.expressDurationMs / 100) * 100),
  };
}

/** Line items of one month, every machine with the given type, charged on one account meter. */
function priceMonth(input: EstimateInput, types: Record<string, WorkflowType>, volumes: (machine: MachineSpec) => number, meter: Meter): LineItem[] {
  const { prices } = input;
  const items: LineItem[] = [];
  const add = (item: Omit<LineItem, 'freeTier' | 'freeTierValue' | 'cost' | 'unitPrices' | 'priceUnit'>, rate: Rate) => {
    const charge = meter.charge(rate, item.usage);
    items.push({ ...item, rateKey: rate.key, unitPrices: charge.tierPrices, priceUnit: rate.unit, freeTier: charge.free, freeTierValue: charge.freeValue, cost: charge.cost });
  };

  for (const machine of input.machines) {
    const executions = volumes(machine);
    if (types[machine.name] === 'STANDARD') {
      const perExecution = machine.model.transitions.expected;
      add(
        {
          service: 'Step Functions',
          item: `State transitions (Standard) · ${machine.name}`,
          machine: machine.name,
          usage: whole(executions * perExecution),
          unit: 'transitions',
          basis: `${formatCount(executions)} executions × ${formatCount(perExecution)} transitions`,
        },
        rateFor(prices, 'sfn.transition', 'Step Functions state transitions'),
      );
    } else {
      add(
        { service: 'Step Functions', item: `Requests (Express) · ${machine.name}`, machine: machine.name, usage: whole(executions), unit: 'requests', basis: `${formatCount(executions)} executions` },
        rateFor(prices, 'sfn.express.request', 'Step Functions Express requests'),
      );
      const billing = expressBilling(machine);
      add(
        {
          service: 'Step Functions',
          item: `Duration (Express) · ${machine.name}`,
          machine: machine.name,
          usage: whole(executions).mul(Decimal.ratio(billing.memoryMB * billing.durationMs, 1024 * 1000)),
          unit: 'GB-s',
          basis: `${formatCount(executions)} × ${billing.memoryMB} MB × ${billing.durationMs} ms`,
        },
        rateFor(prices, 'sfn.express.gbSecond', 'Step Functions Express duration'),
      );
    }
  }

  // Lambda and Bedrock are the same whatever the workflow type; collected per function and model across machines.
  const lambda = new Map<string, { invocations: number; machines: Set<string> }>();
  const bedrock = new Map<string, { invocations: number; machines: Set<string> }>();
  const unpriced = new Map<string, { calls: number; states: Set<string> }>();
  for (const machine of input.machines) {
    const executions = volumes(machine);
    for (const call of machine.model.calls) collect(call, executions, machine.name, lambda, bedrock, unpriced);
  }
  const byArchitecture = (architecture: Architecture) => [...lambda].filter(([name]) => input.functionSpec(name).architecture === architecture);
  for (const architecture of ['x86_64', 'arm64'] as const) {
    for (const [name, usage] of byArchitecture(architecture)) {
      add(
        { service: 'Lambda', item: `Requests (${architecture}) · ${name}`, usage: whole(usage.invocations), unit: 'requests', basis: `${formatCount(usage.invocations)} invocations` },
        rateFor(prices, `lambda.request.${architecture}`, `Lambda requests (${architecture})`),
      );
    }
    for (const [name, usage] of byArchitecture(architecture)) {
      const spec = input.functionSpec(name);
      const durationMs = Math.ceil(spec.durationMs);
      add(
        {
          service: 'Lambda',
          item: `Compute (${architecture}) · ${name}`,
          usage: whole(usage.invocations).mul(Decimal.ratio(spec.memoryMB * durationMs, 1024 * 1000)),
          unit: 'GB-s',
          basis: `${formatCount(Math.round(usage.invocations))} × ${spec.memoryMB} MB × ${durationMs} ms`,
        },
        rateFor(prices, `lambda.gbSecond.${architecture}`, `Lambda compute (${architecture})`),
      );
    }
  }
  for (const [modelId, usage] of bedrock) {
    const key = bedrockModelKey(modelId);
    if (!key) {
      unpriced.set(`bedrock:${modelId}`, { calls: usage.invocations, states: usage.machines });
      continue;
    }
    const tokens = input.tokenSpec(modelId);
    const invocations = whole(usage.invocations);
    for (const direction of ['input', 'output'] as const) {
      const perCall = direction === 'input' ? tokens.inputTokens : tokens.outputTokens;
      add(
        {
          service: 'Bedrock',
          item: `${direction === 'input' ? 'Input' : 'Output'} tokens · ${modelId}`,
          usage: invocations.mul(perCall),
          unit: 'tokens',
          basis: `${formatCount(Math.round(usage.invocations))} calls × ${formatCount(perCall)} tokens`,
        },
        rateFor(prices, `bedrock.${key}.${direction}`, `${modelId} ${direction} tokens`),
      );
    }
  }
  for (const [integration, usage] of unpriced) {
    items.push({
      service: serviceOf(integration),
      item: `${integration} · ${[...usage.states].join(', ')}`,
      usage: whole(usage.calls),
      unit: 'calls',
      unitPrices: [],
      freeTier: Decimal.ZERO,
      freeTierValue: Decimal.ZERO,
      cost: null,
    });
  }
  return items;
}

const SERVICE_NAMES: Record<string, string> = {
  sns: 'SNS',
  sqs: 'SQS',
  dynamodb: 'DynamoDB',
  events: 'EventBridge',
  s3: 'S3',
  states: 'Step Functions',
  ecs: 'ECS',
  batch: 'Batch',
  glue: 'Glue',
  athena: 'Athena',
  apigateway: 'API Gateway',
  sagemaker: 'SageMaker',
  http: 'HTTP endpoint',
  bedrock: 'Bedrock',
};

function serviceOf(integration: string): string {
  if (integration.startsWith('activity:')) return 'Activity workers';
  const [service] = integration.replace(/^aws-sdk:/, '').split(':');
  return SERVICE_NAMES[service.toLowerCase()] ?? service;
}

function collect(
  call: CallCount,
  executions: number,
  machine: string,
  lambda: Map<string, { invocations: number; machines: Set<string> }>,
  bedrock: Map<string, { invocations: number; machines: Set<string> }>,
  unpriced: Map<string, { calls: number; states: Set<string> }>,
): void {
  const count = call.perExecution * executions;
  const bump = (map: Map<string, { invocations: number; machines: Set<string> }>, key: string) => {
    const entry = map.get(key) ?? { invocations: 0, machines: new Set<string>() };
    entry.invocations += count;
    entry.machines.add(machine);
    map.set(key, entry);
  };
  if (call.call.kind === 'lambda') bump(lambda, call.call.functionName);
  else if (call.call.kind === 'bedrock') bump(bedrock, call.call.modelId);
  else {
    const entry = unpriced.get(call.key) ?? { calls: 0, states: new Set<string>() };
    entry.calls += count;
    for (const state of call.states) entry.states.add(state);
    unpriced.set(call.key, entry);
  }
}

export function sumCosts(items: readonly LineItem[]): Decimal {
  return items.reduce((total, item) => (item.cost ? total.add(item.cost) : total), Decimal.ZERO);
}

function allOf(input: EstimateInput, type: WorkflowType): Record<string, WorkflowType> {
  return Object.fromEntries(input.machines.map((machine) => [machine.name, type]));
}

/** Step Functions charges of one machine alone at `executions` a month, as one type. */
function machineSfnCost(input: EstimateInput, machine: MachineSpec, type: WorkflowType, executions: number): Decimal {
  const alone: EstimateInput = { ...input, machines: [{ ...machine, model: { ...machine.model, calls: [] } }] };
  return sumCosts(priceMonth(alone, { [machine.name]: type }, () => executions, new Meter(input.freeTier)));
}

function projectCost(input: EstimateInput, type: WorkflowType, executions: number): Decimal {
  return sumCosts(priceMonth(input, allOf(input, type), () => executions, new Meter(input.freeTier)));
}

/** The volume (executions a month) where `difference` changes sign, searched on whole executions up to 10 billion. */
function findBreakEven(difference: (executions: number) => Decimal): number | undefined {
  const signAt = (executions: number) => difference(executions).cmp(Decimal.ZERO);
  let previous = 1;
  let previousSign = signAt(previous);
  for (let exponent = 0.25; exponent <= 10; exponent += 0.25) {
    const executions = Math.round(10 ** exponent);
    const sign = signAt(executions);
    if (sign !== previousSign && sign !== 0) {
      if (previousSign === 0) return previous;
      let low = previous;
      let high = executions;
      while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (signAt(middle) === previousSign) low = middle;
        else high = middle;
      }
      return high;
    }
    previous = executions;
    previousSign = sign;
  }
  return undefined;
}

export function estimate(input: EstimateInput): Estimate {
  const declared = Object.fromEntries(input.machines.map((machine) => [machine.name, machine.declaredType]));
  const wanted: Array<[string, Record<string, WorkflowType>]> =
    input.type === 'both'
      ? [
          ['Standard', allOf(input, 'STANDARD')],
          ['Express', allOf(input, 'EXPRESS')],
        ]
      : input.type === 'standard'
        ? [['Standard', allOf(input, 'STANDARD')]]
        : input.type === 'express'
          ? [['Express', allOf(input, 'EXPRESS')]]
          : [['As declared', declared]];
  const scenarios = wanted.map(([label, types]) => {
    const items = priceMonth(input, types, (machine) => machine.executionsPerMonth, new Meter(input.freeTier));
    return { label, types, items, total: sumCosts(items) };
  });

  const comparisons = input.machines.map((machine): Comparison => {
    const standard = machineSfnCost(input, machine, 'STANDARD', machine.executionsPerMonth);
    const express = machineSfnCost(input, machine, 'EXPRESS', machine.executionsPerMonth);
    const notes: string[] = [];
    const callbacks = machine.model.calls.filter((call) => 'callback' in call.call && call.call.callback).flatMap((call) => call.states);
    if (callbacks.length > 0) notes.push(`Express cannot run ${callbacks.join(', ')}: .waitForTaskToken is Standard-only`);
    const syncs = machine.model.calls.filter((call) => call.key.endsWith('.sync') || call.key.endsWith('.sync:2')).flatMap((call) => call.states);
    if (syncs.length > 0) notes.push(`Express cannot run ${syncs.join(', ')}: .sync integrations are Standard-only`);
    if (machine.expressDurationMs > 5 * 60_000) notes.push('Express executions stop after 5 minutes; this one is expected to run longer');
    return {
      machine: machine.name,
      declaredType: machine.declaredType,
      transitionsPerExecution: machine.model.transitions,
      executionsPerMonth: machine.executionsPerMonth,
      standard,
      express,
      cheaper: standard.lt(express) ? 'STANDARD' : express.lt(standard) ? 'EXPRESS' : 'same',
      breakEven: findBreakEven((executions) => machineSfnCost(input, machine, 'STANDARD', executions).sub(machineSfnCost(input, machine, 'EXPRESS', executions))),
      notes,
    };
  });

  const standardTotal = sumCosts(priceMonth(input, allOf(input, 'STANDARD'), (machine) => machine.executionsPerMonth, new Meter(input.freeTier)));
  const expressTotal = sumCosts(priceMonth(input, allOf(input, 'EXPRESS'), (machine) => machine.executionsPerMonth, new Meter(input.freeTier)));
  return {
    region: input.prices.region,
    scenarios,
    comparisons,
    totals: {
      standard: standardTotal,
      express: expressTotal,
      cheaper: standardTotal.lt(expressTotal) ? 'STANDARD' : expressTotal.lt(standardTotal) ? 'EXPRESS' : 'same',
    },
  };
}

/** Monthly cost of the whole project against executions a month (every machine at that volume), 1k to 100M. */
export function costCurves(input: EstimateInput, from = 1_000, to = 100_000_000, pointsPerDecade = 12): Chart {
  const points: CurvePoint[] = [];
  const decades = Math.log10(to / from);
  for (let step = 0; step <= decades * pointsPerDecade; step++) {
    const executions = Math.round(from * 10 ** (step / pointsPerDecade));
    points.push({ executions, standard: projectCost(input, 'STANDARD', executions).toNumber(), express: projectCost(input, 'EXPRESS', executions).toNumber() });
  }
  const breakEven = findBreakEven((executions) => projectCost(input, 'STANDARD', executions).sub(projectCost(input, 'EXPRESS', executions)));
  const transitions = input.machines.reduce((total, machine) => total + machine.model.transitions.expected, 0);
  const lambdaCalls = input.machines.reduce(
    (total, machine) => total + machine.model.calls.filter((call) => call.call.kind === 'lambda').reduce((sum, call) => sum + call.perExecution, 0),
    0,
  );
  return {
    points,
    breakEven,
    freeTierKnee: input.freeTier && transitions > 0 ? Math.round(4_000 / transitions) : undefined,
    lambdaFreeTierKnee: input.freeTier && lambdaCalls > 0 ? Math.round(1_000_000 / lambdaCalls) : undefined,
  };
}
