/**
 * The monthly bill of a set of state machines: line items per service,
 * the free tier as its own column, Standard against Express side by side with
 * the break-even volume, and the curves for the chart.
 */
import type { WorkflowType } from '../asl/types.js';
import { Decimal } from './decimal.js';
import { Meter } from './pricing.js';
import type { BedrockModelKey, PriceBook, RateKey } from './prices/types.js';
import { loadSnapshot } from './prices/index.js';
import type { CallCount, ChildExecutions, Durations, MachineModel, Range } from './usage/model.js';
import { BYTES_PER_GB, storedMonths, type LogSettings, type LogVolume } from './usage/logs.js';

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
  /** The spread of Express durations (static paths or measured runs); `expressDurationMs` alone when absent. */
  expressDurations?: Durations;
  /** Where the transitions came from: the static walk, or measured histories. */
  measuredFrom?: { executions: number };
  /** Set when the machine logs its executions to CloudWatch Logs on AWS: what each execution writes. */
  logs?: { settings: LogSettings; volume: LogVolume };
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
  /** null: not estimated (a service deliv does not price), or not priced (see `notPriced`). */
  cost: Decimal | null;
  /** Why a line deliv does price has no price here (missing from the price source for the region). */
  notPriced?: string;
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
  /** Step Functions charges only (Lambda, Bedrock are the same either way), with this machine's share of the account's free tier. */
  standard: Decimal;
  /** null: the machine cannot run as Express (see expressBlockers). */
  express: Decimal | null;
  expressBlockers: string[];
  /** Why this machine's Standard charges have no price in the region (its Standard column is then no figure). */
  standardNotPriced?: string;
  /** Why its Express charges have no price in the region. */
  expressNotPriced?: string;
  /** 'not priced': a side it could run as has no price here, so neither is called cheaper (nor any break-even found). */
  cheaper: WorkflowType | 'same' | 'not priced';
  /** Executions per month of this machine where both cost the same (the rest of the project as declared); undefined when one is cheaper everywhere. */
  breakEven?: number;
  breakEvenWithoutFreeTier?: number;
  /** Set when the break-even is only where the free tier runs out. */
  breakEvenNote?: string;
  notes: string[];
}

export interface CurvePoint {
  executions: number;
  standard: number;
  /** null: no machine of the project can run as Express. */
  express: number | null;
}

export interface Chart {
  points: CurvePoint[];
  breakEven?: number;
  /** Where the Step Functions free tier runs out for Standard. */
  freeTierKnee?: number;
  /** Where the Lambda free requests run out. */
  lambdaFreeTierKnee?: number;
  /** Where the Lambda free GB-seconds run out. */
  lambdaComputeKnee?: number;
  /** Name of the Express curve; undefined when there is none. */
  expressLabel?: string;
  /** Why no curve is drawn: the Step Functions charges the curves compare have no price in the region (`points` is empty). */
  notPriced?: string;
  /** Line items with no price in the region that the curves leave out (both curves alike: Lambda, Bedrock, ...). */
  leftOut?: string[];
}

export interface Estimate {
  region: string;
  scenarios: Scenario[];
  comparisons: Comparison[];
  /** Whole project as Standard and as Express at the requested volumes. */
  totals: {
    standard: Decimal;
    /** Express where possible; machines that cannot run as Express stay Standard. */
    express: Decimal;
    /** Step Functions part of each: the sum of the comparison rows. */
    standardSfn: Decimal;
    expressSfn: Decimal;
    expressPossible: string[];
    cheaper: WorkflowType | 'same' | 'not priced';
    /** Why the Step Functions charges of a whole-project view have no price in the region. */
    notPriced?: string;
  };
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

/** Rounds an expected count of billed things to whole ones. */
function whole(value: number): Decimal {
  return Decimal.of(Math.round(value));
}

/** Express bills every execution's duration rounded up to the next 100 ms, memory in 64 MB steps. */
export function billedExpressMs(ms: number): number {
  return Math.max(100, Math.ceil(ms / 100) * 100);
}

export function billedExpressMemoryMB(memoryMB: number): number {
  return Math.max(64, Math.ceil(memoryMB / 64) * 64);
}

/** Average billed milliseconds over the spread of execution durations (each rounded up on its own). */
export function averageBilledMs(durations: Durations): number {
  const mass = durations.reduce((total, [p]) => total + p, 0);
  return durations.reduce((total, [p, ms]) => total + p * billedExpressMs(ms), 0) / mass;
}

interface PriceOptions {
  /** Step Functions charges only: the comparison of workflow types. */
  sfnOnly?: boolean;
}

/** How deep nested executions are followed (a machine starting itself stops here). */
const MAX_NESTING = 5;

/** Line items of one month, every machine with the given type, charged on one account meter. */
function priceMonth(input: EstimateInput, types: Record<string, WorkflowType>, volumes: (machine: MachineSpec) => number, meter: Meter, options: PriceOptions = {}): LineItem[] {
  const { prices } = input;
  const items: LineItem[] = [];
  const add = (item: Omit<LineItem, 'freeTier' | 'freeTierValue' | 'cost' | 'unitPrices' | 'priceUnit'>, key: RateKey, what: string) => {
    const rate = prices.rates[key];
    if (!rate) {
      // One missing price is one line the reader is told about; the rest of the bill stands.
      const sources = prices.sources.map((source) => `${source.service}: ${source.kind}`).join(', ');
      const hint = missingPriceHint(key, prices);
      items.push({ ...item, rateKey: key, unitPrices: [], freeTier: Decimal.ZERO, freeTierValue: Decimal.ZERO, cost: null, notPriced: `no price for ${what} in ${prices.region}${sources ? ` (prices from ${sources})` : ''}${hint ? `: ${hint}` : ''}` });
      return;
    }
    const charge = meter.charge(rate, item.usage);
    items.push({ ...item, rateKey: rate.key, unitPrices: charge.tierPrices, priceUnit: rate.unit, freeTier: charge.free, freeTierValue: charge.freeValue, cost: charge.cost });
  };
  const transitions = (machine: string, label: string, executions: number, perExecution: number) =>
    add(
      { service: 'Step Functions', item: `State transitions (Standard) · ${label}`, machine, usage: whole(executions * perExecution), unit: 'transitions', basis: `${formatCount(executions)} executions × ${formatCount(perExecution)} transitions` },
      'sfn.transition',
      'Step Functions state transitions',
    );
  const express = (machine: string, label: string, executions: number, memoryMB: number, durations: Durations) => {
    add({ service: 'Step Functions', item: `Requests (Express) · ${label}`, machine, usage: whole(executions), unit: 'requests', basis: `${formatCount(executions)} executions` }, 'sfn.express.request', 'Step Functions Express requests');
    const billedMemory = billedExpressMemoryMB(memoryMB);
    const billedMs = averageBilledMs(durations);
    const spread = durations.length > 1 ? ` on average (${durations.length} paths, each rounded up to 100 ms)` : '';
    add(
      {
        service: 'Step Functions',
        item: `Duration (Express) · ${label}`,
        machine,
        usage: whole(executions).mul(Decimal.of(billedMs.toFixed(6))).mul(Decimal.ratio(billedMemory, 1024 * 1000)),
        unit: 'GB-s',
        basis: `${formatCount(executions)} × ${billedMemory} MB × ${formatCount(billedMs)} ms${spread}`,
      },
      'sfn.express.gbSecond',
      'Step Functions Express duration',
    );
  };
  const allCalls: Array<{ call: CallCount; executions: number; machine: string }> = [];
  const children = (machine: MachineSpec, list: readonly ChildExecutions[], executions: number, depth: number, owner = machine.name) => {
    if (depth > MAX_NESTING) return;
    for (const child of list) {
      const count = executions * child.perExecution;
      // A grandchild's line names the child that starts it.
      const label = `${owner} › ${child.label}`;
      if (child.type === 'STANDARD') transitions(machine.name, label, count, child.model.transitions.expected);
      else express(machine.name, label, count, child.memoryMB, child.model.durations);
      for (const call of child.model.calls ?? []) allCalls.push({ call, executions: count, machine: machine.name });
      children(machine, child.model.children, count, depth + 1, label);
    }
  };

  for (const machine of input.machines) {
    const executions = volumes(machine);
    if (types[machine.name] === 'STANDARD') transitions(machine.name, machine.name, executions, machine.model.transitions.expected);
    else express(machine.name, machine.name, executions, machine.expressMemoryMB, machine.expressDurations ?? [[1, machine.expressDurationMs]]);
    children(machine, machine.model.children, executions, 1);
    for (const call of machine.model.calls) allCalls.push({ call, executions, machine: machine.name });
  }
  if (options.sfnOnly) return items;

  // Lambda and Bedrock are the same whatever the workflow type; collected per function and model across machines.
  const lambda = new Map<string, { invocations: number; machines: Set<string> }>();
  const bedrock = new Map<string, { invocations: number; machines: Set<string> }>();
  const unpriced = new Map<string, { calls: number; states: Set<string> }>();
  for (const { call, executions, machine } of allCalls) collect(call, executions, machine, lambda, bedrock, unpriced);
  const byArchitecture = (architecture: Architecture) => [...lambda].filter(([name]) => input.functionSpec(name).architecture === architecture);
  for (const architecture of ['x86_64', 'arm64'] as const) {
    for (const [name, usage] of byArchitecture(architecture)) {
      add(
        { service: 'Lambda', item: `Requests (${architecture}) · ${name}`, usage: whole(usage.invocations), unit: 'requests', basis: `${formatCount(usage.invocations)} invocations` },
        `lambda.request.${architecture}`,
        `Lambda requests (${architecture})`,
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
        `lambda.gbSecond.${architecture}`,
        `Lambda compute (${architecture})`,
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
          usage: invocations.mul(Decimal.of(perCall.toFixed(4))),
          unit: 'tokens',
          basis: `${formatCount(Math.round(usage.invocations))} calls × ${formatCount(perCall)} tokens`,
        },
        `bedrock.${key}.${direction}`,
        `${modelId} ${direction} tokens`,
      );
    }
  }
  for (const machine of input.machines) {
    if (!machine.logs) continue;
    const { volume, settings } = machine.logs;
    const executions = whole(volumes(machine));
    const perExecution = `${formatCount(Math.round(volume.bytes))} bytes (${formatCount(volume.events)} events, ${volume.source})`;
    add(
      { service: 'CloudWatch Logs', item: `Ingestion (vended logs) · ${machine.name}`, machine: machine.name, usage: executions.mul(Decimal.of(Math.round(volume.bytes))).mul(Decimal.ratio(1, BYTES_PER_GB)), unit: 'GB', basis: `${formatCount(volumes(machine))} executions × ${perExecution}` },
      'logs.vended.ingestion',
      'CloudWatch Logs',
    );
    const months = storedMonths(settings.retentionInDays);
    add(
      {
        service: 'CloudWatch Logs',
        item: `Storage · ${machine.name}`,
        machine: machine.name,
        usage: executions.mul(Decimal.of(Math.round(volume.storedBytes))).mul(Decimal.ratio(1, BYTES_PER_GB)).mul(Decimal.of(months.toFixed(6))),
        unit: 'GB-month',
        basis: `${formatCount(volumes(machine))} executions × ${formatCount(Math.round(volume.storedBytes))} bytes compressed × ${formatCount(months)} month(s) held`,
      },
      'logs.storage',
      'CloudWatch Logs',
    );
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

/** What to do about a missing price, when there is more to say than its absence. */
function missingPriceHint(key: RateKey, prices: PriceBook): string | undefined {
  if (prices.sources.some((source) => source.regionMissing)) {
    const priced = Object.keys(loadSnapshot().regions).length;
    return `the bundled snapshot holds no AWS figures for ${prices.region} (it prices ${priced} regions, and none is guessed); run without --offline, with AWS credentials, to price ${prices.region} from the Pricing API`;
  }
  if (!key.startsWith('logs.')) return undefined;
  const source = prices.sources.find((candidate) => candidate.service === 'AmazonCloudWatch');
  if (source?.kind !== 'snapshot') return undefined;
  return 'the bundled snapshot holds no AmazonCloudWatch rows (no AWS source for them was at hand when it was built); run without --offline, with AWS credentials, to read them from the Pricing API, or refresh the snapshot with `npm run build && node scripts/update-price-snapshot.mjs` (it fetches AmazonCloudWatch)';
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

/** The reason the first of these line items has no price, if one has none. */
function notPricedReason(items: readonly LineItem[]): string | undefined {
  return items.find((item) => item.notPriced !== undefined)?.notPriced;
}

export function sumCosts(items: readonly LineItem[]): Decimal {
  return items.reduce((total, item) => (item.cost ? total.add(item.cost) : total), Decimal.ZERO);
}

function allOf(input: EstimateInput, type: WorkflowType): Record<string, WorkflowType> {
  return Object.fromEntries(input.machines.map((machine) => [machine.name, type]));
}

export function canRunExpress(machine: MachineSpec): boolean {
  return machine.model.expressBlockers.length === 0;
}

/** Every machine as Express where it can run as Express; the others stay Standard. */
function expressWherePossible(input: EstimateInput): Record<string, WorkflowType> {
  return Object.fromEntries(input.machines.map((machine) => [machine.name, canRunExpress(machine) ? 'EXPRESS' : 'STANDARD']));
}

/** The whole project at `executions` a month for every machine, on one account meter. */
function projectCost(input: EstimateInput, types: Record<string, WorkflowType>, executions: number): Decimal {
  return sumCosts(priceMonth(input, types, () => executions, new Meter(input.freeTier)));
}

/** Step Functions charges of one machine when it alone moves to `executions` a month, the rest of the project as declared, all on one meter. */
function sfnCostAt(input: EstimateInput, machine: MachineSpec, type: WorkflowType, executions: number, freeTier: boolean): Decimal {
  const types = { ...Object.fromEntries(input.machines.map((other) => [other.name, other.declaredType])), [machine.name]: type };
  const items = priceMonth(input, types, (other) => (other.name === machine.name ? executions : other.executionsPerMonth), new Meter(freeTier), { sfnOnly: true });
  return sumCosts(items);
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
          ['Express', expressWherePossible(input)],
        ]
      : input.type === 'standard'
        ? [['Standard', allOf(input, 'STANDARD')]]
        : input.type === 'express'
          ? [['Express', expressWherePossible(input)]]
          : [['As declared', declared]];
  const scenarios = wanted.map(([label, types]) => {
    const items = priceMonth(input, types, (machine) => machine.executionsPerMonth, new Meter(input.freeTier));
    return { label, types, items, total: sumCosts(items) };
  });

  // One meter per view: the free tier is the account's, so the rows of a view share it and add up to its total.
  const volumes = (machine: MachineSpec) => machine.executionsPerMonth;
  const standardSfn = priceMonth(input, allOf(input, 'STANDARD'), volumes, new Meter(input.freeTier), { sfnOnly: true });
  const expressSfn = priceMonth(input, expressWherePossible(input), volumes, new Meter(input.freeTier), { sfnOnly: true });
  const ofMachine = (items: LineItem[], name: string) => sumCosts(items.filter((item) => item.machine === name));
  const comparisons = input.machines.map((machine): Comparison => {
    const standard = ofMachine(standardSfn, machine.name);
    const possible = canRunExpress(machine);
    const express = possible ? ofMachine(expressSfn, machine.name) : null;
    const notes = possible ? [] : [`cannot run as Express: ${machine.model.expressBlockers.join('; ')}`];
    // A side without a price is no $0.00: nothing is called cheaper than it, and no break-even is searched for.
    const standardNotPriced = notPricedReason(standardSfn.filter((item) => item.machine === machine.name));
    const expressNotPriced = possible ? notPricedReason(expressSfn.filter((item) => item.machine === machine.name)) : undefined;
    const comparable = standardNotPriced === undefined && expressNotPriced === undefined;
    const unpricedSides = [standardNotPriced !== undefined ? 'Standard' : undefined, expressNotPriced !== undefined ? 'Express' : undefined].filter((side) => side !== undefined);
    if (!comparable) notes.push(`Standard and Express not compared: its ${unpricedSides.join(' and ')} charges are not priced in ${input.prices.region} (see the not priced lines above)`);
    const difference = (freeTier: boolean) => (executions: number) => sfnCostAt(input, machine, 'STANDARD', executions, freeTier).sub(sfnCostAt(input, machine, 'EXPRESS', executions, freeTier));
    const breakEven = possible && comparable ? findBreakEven(difference(input.freeTier)) : undefined;
    const breakEvenWithoutFreeTier = possible && comparable ? (input.freeTier ? findBreakEven(difference(false)) : breakEven) : undefined;
    let breakEvenNote: string | undefined;
    if (possible && input.freeTier && breakEven !== undefined && breakEvenWithoutFreeTier === undefined) {
      breakEvenNote = 'only where the free tier runs out: Standard is free below it, Express is cheaper at every volume without it';
    }
    return {
      machine: machine.name,
      declaredType: machine.declaredType,
      transitionsPerExecution: machine.model.transitions,
      executionsPerMonth: machine.executionsPerMonth,
      standard,
      express,
      expressBlockers: machine.model.expressBlockers,
      ...(standardNotPriced !== undefined ? { standardNotPriced } : {}),
      ...(expressNotPriced !== undefined ? { expressNotPriced } : {}),
      cheaper: !comparable ? 'not priced' : express === null || standard.lt(express) ? 'STANDARD' : express.lt(standard) ? 'EXPRESS' : 'same',
      breakEven,
      breakEvenWithoutFreeTier,
      breakEvenNote,
      notes,
    };
  });

  const standardTotal = sumCosts(priceMonth(input, allOf(input, 'STANDARD'), volumes, new Meter(input.freeTier)));
  const expressTotal = sumCosts(priceMonth(input, expressWherePossible(input), volumes, new Meter(input.freeTier)));
  const totalsNotPriced = notPricedReason(standardSfn) ?? notPricedReason(expressSfn);
  return {
    region: input.prices.region,
    scenarios,
    comparisons,
    totals: {
      standard: standardTotal,
      express: expressTotal,
      standardSfn: sumCosts(standardSfn),
      expressSfn: sumCosts(expressSfn),
      expressPossible: input.machines.filter(canRunExpress).map((machine) => machine.name),
      cheaper: totalsNotPriced !== undefined ? 'not priced' : standardTotal.lt(expressTotal) ? 'STANDARD' : expressTotal.lt(standardTotal) ? 'EXPRESS' : 'same',
      ...(totalsNotPriced !== undefined ? { notPriced: totalsNotPriced } : {}),
    },
  };
}

/**
 * What one execution of every machine (each at the same volume, as the chart
 * draws them) uses of the free allowances, children included: Standard
 * transitions (the machines as Standard, child executions as their own type),
 * Lambda requests and Lambda GB-seconds.
 */
function freeTierUsePerExecution(input: EstimateInput): { transitions: number; lambdaCalls: number; gbSeconds: number } {
  const total = { transitions: 0, lambdaCalls: 0, gbSeconds: 0 };
  const add = (calls: readonly CallCount[], factor: number) => {
    for (const call of calls) {
      if (call.call.kind !== 'lambda') continue;
      const spec = input.functionSpec(call.call.functionName);
      total.lambdaCalls += call.perExecution * factor;
      total.gbSeconds += call.perExecution * factor * ((spec.memoryMB / 1024) * (Math.ceil(spec.durationMs) / 1000));
    }
  };
  const walk = (children: readonly ChildExecutions[], factor: number, depth: number) => {
    if (depth > MAX_NESTING) return;
    for (const child of children) {
      const count = factor * child.perExecution;
      if (child.type === 'STANDARD') total.transitions += count * child.model.transitions.expected;
      add(child.model.calls ?? [], count);
      walk(child.model.children, count, depth + 1);
    }
  };
  for (const machine of input.machines) {
    total.transitions += machine.model.transitions.expected;
    add(machine.model.calls, 1);
    walk(machine.model.children, 1, 1);
  }
  return total;
}

/**
 * Monthly cost of the whole project against executions a month (every
 * machine at that volume). The range starts at 1k, or lower when the
 * break-even or a free-tier knee falls below it, so every marker is drawn.
 */
export function costCurves(input: EstimateInput, from = 1_000, to = 100_000_000, pointsPerDecade = 12): Chart {
  const expressTypes = expressWherePossible(input);
  const anyExpress = input.machines.some(canRunExpress);
  // Curves of charges with no price would draw $0 where AWS bills: none is drawn, and the chart says why.
  const probe = (types: Record<string, WorkflowType>) => priceMonth(input, types, () => 1, new Meter(input.freeTier));
  const standardItems = probe(allOf(input, 'STANDARD'));
  const expressItems = anyExpress ? probe(expressTypes) : [];
  const stepFunctions = (items: readonly LineItem[]) => items.filter((item) => item.service === 'Step Functions');
  const notPriced = notPricedReason(stepFunctions(standardItems)) ?? notPricedReason(stepFunctions(expressItems));
  if (notPriced !== undefined) return { points: [], notPriced };
  const leftOut = [...new Set([...standardItems, ...expressItems].filter((item) => item.notPriced !== undefined).map((item) => item.item))];
  const breakEven = anyExpress ? findBreakEven((executions) => projectCost(input, allOf(input, 'STANDARD'), executions).sub(projectCost(input, expressTypes, executions))) : undefined;
  const { transitions, lambdaCalls, gbSeconds } = freeTierUsePerExecution(input);
  const freeTierKnee = input.freeTier && transitions > 0 ? Math.round(4_000 / transitions) : undefined;
  const lambdaFreeTierKnee = input.freeTier && lambdaCalls > 0 ? Math.round(1_000_000 / lambdaCalls) : undefined;
  const lambdaComputeKnee = input.freeTier && gbSeconds > 0 ? Math.round(400_000 / gbSeconds) : undefined;
  const markers = [breakEven, freeTierKnee, lambdaFreeTierKnee, lambdaComputeKnee].filter((value): value is number => value !== undefined && value > 0);
  const lowest = Math.min(from, ...markers);
  // A marker in the first half-decade would sit on the axis: start a decade (or more) earlier so it stands clear.
  const start = lowest < from * 3 ? Math.max(1, 10 ** Math.floor(Math.log10(lowest / 3))) : from;
  const points: CurvePoint[] = [];
  const decades = Math.log10(to / start);
  for (let step = 0; step <= Math.round(decades * pointsPerDecade); step++) {
    const executions = Math.round(start * 10 ** (step / pointsPerDecade));
    points.push({
      executions,
      standard: projectCost(input, allOf(input, 'STANDARD'), executions).toNumber(),
      express: anyExpress ? projectCost(input, expressTypes, executions).toNumber() : null,
    });
  }
  return {
    points,
    breakEven,
    freeTierKnee,
    lambdaFreeTierKnee,
    lambdaComputeKnee,
    expressLabel: !anyExpress ? undefined : input.machines.every(canRunExpress) ? 'Express' : `Express where possible (${input.machines.filter((machine) => !canRunExpress(machine)).map((machine) => machine.name).join(', ')} stay Standard)`,
    ...(leftOut.length > 0 ? { leftOut } : {}),
  };
}
