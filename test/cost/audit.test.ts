/**
 * Issue 15's billing rules on whole projects: deliv.yaml, definitions, sample
 * events and mocks written to a temp folder and priced with `runCost`
 * offline, as `deliv cost` does. Every bill is worked out by hand in the
 * comments from the unit prices of the bundled snapshot (data/prices/
 * snapshot.json, us-east-1), and written as arithmetic.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/cost/decimal.js';
import { runCost, type CostOptions, type CostReport } from '../../src/cost/index.js';
import { expressMemory } from '../../src/cost/inputs.js';
import { childReferences, summarizeExecutions } from '../../src/cost/usage/measured.js';
import { modelMachine } from '../../src/cost/usage/model.js';
import { loadProject } from '../../src/project/config.js';
import type { StateMachineDefinition } from '../../src/asl/types.js';
import { tempDir } from '../helpers/cli.js';

const D = (value: string | number) => Decimal.of(value);
// us-east-1, USD, as the snapshot holds them
const PER_TRANSITION = D('0.000025'); // $0.025 per 1,000
const PER_EXPRESS_REQUEST = D('0.000001'); // $1.00 per million
const EXPRESS_GBS = D('0.00001667'); // first 3,600,000 GB-s
const PER_LAMBDA_REQUEST = D('0.0000002'); // $0.20 per million
const HAIKU_45_GLOBAL = { input: D('0.000001'), output: D('0.000005') }; // $1 / $5 per million tokens
const HAIKU_3 = { input: D('0.00025'), output: D('0.00125') }; // per 1,000 tokens
const GB_64MB = D('0.0625');

const ACCOUNT = '123456789012';
const fn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

const temp = tempDir('deliv-cost-audit-');
afterAll(() => temp.cleanup());

interface ProjectSpec {
  machines: Record<string, { type: 'STANDARD' | 'EXPRESS'; definition: object; events?: Record<string, unknown> }>;
  functions?: Record<string, { memoryMB: number; durationMs: number }>;
  cost?: Record<string, unknown>;
  mocks?: object;
}

let projects = 0;
/** A project on disk, as `deliv init` lays one out: deliv.yaml, statemachines/, events/<machine>/, mocks/. */
function project(spec: ProjectSpec): string {
  const root = path.join(temp.dir, `p${++projects}`);
  mkdirSync(path.join(root, 'statemachines'), { recursive: true });
  const machines: Record<string, unknown> = {};
  for (const [name, machine] of Object.entries(spec.machines)) {
    writeFileSync(path.join(root, 'statemachines', `${name}.asl.json`), JSON.stringify(machine.definition, null, 2));
    machines[name] = { definition: `statemachines/${name}.asl.json`, type: machine.type, ...(machine.events ? { events: `events/${name}` } : {}) };
    if (machine.events) {
      mkdirSync(path.join(root, 'events', name), { recursive: true });
      for (const [file, event] of Object.entries(machine.events)) writeFileSync(path.join(root, 'events', name, `${file}.json`), JSON.stringify(event));
    }
  }
  const functions = Object.fromEntries(Object.entries(spec.functions ?? {}).map(([name, size]) => [name, { handler: `functions/${name}.ts`, ...size }]));
  if (spec.mocks) {
    mkdirSync(path.join(root, 'mocks'), { recursive: true });
    writeFileSync(path.join(root, 'mocks', 'MockConfigFile.json'), JSON.stringify(spec.mocks));
  }
  const yaml = JSON.stringify({ name: `p${projects}`, stateMachines: machines, functions, ...(spec.cost ? { cost: spec.cost } : {}) }, null, 2);
  writeFileSync(path.join(root, 'deliv.yaml'), yaml);
  return root;
}

const price = (root: string, options: Partial<CostOptions> = {}) => runCost({ subjects: [], project: loadProject(root), cwd: root, offline: true, ...options });
const declared = (report: CostReport) => report.estimate.scenarios[0];
const line = (report: CostReport, item: string) => {
  const found = declared(report).items.find((entry) => entry.item === item);
  if (!found) throw new Error(`no line ${item} in ${declared(report).items.map((entry) => entry.item).join(' | ')}`);
  return found;
};
const sumOf = (report: CostReport, service: string) => declared(report).items.filter((item) => item.service === service && item.cost).reduce((total, item) => total.add(item.cost!), Decimal.ZERO);
const items = (count: number) => Array.from({ length: count }, (_, index) => ({ sku: `P${index}` }));

describe('a Distributed Map with Express children, reached by three samples in four', () => {
  const definition = {
    StartAt: 'Check',
    States: {
      Check: { Type: 'Choice', Choices: [{ Variable: '$.skip', BooleanEquals: true, Next: 'Skipped' }], Default: 'Validate' },
      Skipped: { Type: 'Succeed' },
      Validate: { Type: 'Task', Resource: fn('validate'), Next: 'Fan' },
      Fan: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'Resize',
          States: { Resize: { Type: 'Task', Resource: fn('resize'), Next: 'Tag' }, Tag: { Type: 'Pass', End: true } },
        },
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };
  const root = project({
    machines: { ingest: { type: 'STANDARD', definition, events: { small: { items: items(200) }, large: { items: items(300) }, skipped: { skip: true, items: items(10_000) } } } },
    functions: { validate: { memoryMB: 128, durationMs: 50 }, resize: { memoryMB: 512, durationMs: 230 } },
    cost: { executionsPerMonth: 10_000, choices: { Check: { Validate: 3, Skipped: 1 } } },
  });

  it('bills the parent one transition per child plus the Map state, and each child as an Express execution', async () => {
    const report = await price(root);
    // The skipped sample never reaches Fan: (200 + 300) / 2 = 250 items, not (200 + 300 + 10,000) / 3.
    expect(report.assumptions.join('\n')).toMatch(/Fan: 250 items per execution on average \(200–300\), counted in 2 sample event\(s\) \(the 1 other sample event\(s\) the Choice routing sends elsewhere\)/);
    // Per execution: Check + ¾ × (Validate + Fan + 250 children + Done) + ¼ × Skipped = 1 + 0.75 × 253 + 0.25 = 191.
    expect(report.machines[0].transitionsPerExecution.expected).toBeCloseTo(191, 10);
    const parent = D(10_000 * 191 - 4_000).mul(PER_TRANSITION); // $47.65
    // 0.75 × 250 = 187.5 children per execution: 1,875,000 Express requests a month.
    const requests = D(1_875_000).mul(PER_EXPRESS_REQUEST);
    // A child takes Resize's 230 ms, billed 300 ms, at 64 MB: 1,875,000 × 0.0625 GB × 0.3 s = 35,156.25 GB-s.
    const duration = D(1_875_000).mul(GB_64MB).mul('0.3').mul(EXPRESS_GBS);
    // Lambda: 1,875,000 resize + 7,500 validate requests, 1M free; 215,625 + 46.875 GB-s, inside the free 400,000.
    const lambda = D(1_875_000 + 7_500 - 1_000_000).mul(PER_LAMBDA_REQUEST);
    expect(line(report, 'State transitions (Standard) · ingest').cost!.toString()).toBe(parent.toString());
    expect(line(report, 'Requests (Express) · ingest › Fan (Distributed Map)').cost!.toString()).toBe(requests.toString());
    expect(line(report, 'Duration (Express) · ingest › Fan (Distributed Map)').cost!.toString()).toBe(duration.toString());
    expect(sumOf(report, 'Lambda').toString()).toBe(lambda.toString());
    expect(declared(report).total.toString()).toBe(parent.add(requests).add(duration).add(lambda).toString());
    expect(declared(report).total.toString()).toBe('50.2875546875');
  });

  it('states the Choice weights it used, and never calls a machine with a Distributed Map cheaper as Express', async () => {
    const report = await price(root);
    expect(report.assumptions.join('\n')).toMatch(/ingest: Check: branch weights from the usage file: Skipped 25%, Validate 75%/);
    const [comparison] = report.estimate.comparisons;
    expect(comparison.express).toBeNull();
    expect(comparison.expressBlockers).toEqual(['Fan is a Distributed Map (Express workflows cannot run one)']);
  });
});

describe('a Distributed Map with Standard children, batched, sharing the free tier with a second machine', () => {
  const root = project({
    machines: {
      batch: {
        type: 'STANDARD',
        definition: {
          StartAt: 'Fan',
          States: {
            Fan: {
              Type: 'Map',
              ItemsPath: '$.parcels',
              ItemBatcher: { MaxItemsPerBatch: 8 },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                StartAt: 'Label',
                States: { Label: { Type: 'Task', Resource: fn('label'), Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 2, IntervalSeconds: 1 }], Next: 'Stamp' }, Stamp: { Type: 'Pass', End: true } },
              },
              End: true,
            },
          },
        },
      },
      audit: { type: 'STANDARD', definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Succeed' } } } },
    },
    functions: { label: { memoryMB: 128, durationMs: 100 } },
    cost: { stateMachines: { batch: { executionsPerMonth: 2_000, mapItems: { Fan: 40 }, failureRates: { Label: 0.1 } }, audit: { executionsPerMonth: 500 } } },
  });

  it('bills each child its own transitions, retries included, and applies the 4,000 free transitions once', async () => {
    const report = await price(root);
    // 40 items in batches of 8: 5 children. Parent: Fan + 5 = 6 transitions; 2,000 × 6 = 12,000.
    expect(report.machines[0].transitionsPerExecution.expected).toBe(6);
    // A child: Label's attempts 1 + 0.1 + 0.01 = 1.11, and Stamp unless both retries failed too (1 − 0.001):
    // 2.109 transitions; 2,000 × 5 × 2.109 = 21,090.
    const children = line(report, 'State transitions (Standard) · batch › Fan (Distributed Map)');
    expect(children.usage.toString()).toBe('21090');
    // audit: 500 × 3 = 1,500. The account: 12,000 + 21,090 + 1,500 − 4,000 free = 30,590 transitions.
    const total = D(12_000 + 21_090 + 1_500 - 4_000).mul(PER_TRANSITION); // $0.76475
    expect(sumOf(report, 'Step Functions').toString()).toBe(total.toString());
    // The per-machine comparison rows take their share of the one free tier and add up to the same total.
    const [batch, audit] = report.estimate.comparisons;
    expect(batch.standard.add(audit.standard).toString()).toBe(report.estimate.totals.standardSfn.toString());
    expect(report.estimate.totals.standardSfn.toString()).toBe(total.toString());
    // The free 4,000 go to batch's own 12,000 first: audit pays all its 1,500.
    expect(audit.standard.toString()).toBe(D(1_500).mul(PER_TRANSITION).toString());
  });

  it('finds no break-even for a machine whose free tier another machine already uses', async () => {
    const report = await price(root);
    const audit = report.estimate.comparisons.find((row) => row.machine === 'audit')!;
    // Alone, audit would be free below 1,333 runs a month and cost more than Express from 1,354 on. Here batch's
    // 33,090 transitions use the free tier up at any volume of audit: 3 × $0.000025 a run against Express's
    // $0.000001 + 0.0625 × 0.1 × $0.00001667 — Express is cheaper everywhere, with the free tier or without.
    expect(audit.cheaper).toBe('EXPRESS');
    expect(audit.breakEven).toBeUndefined();
    expect(audit.breakEvenWithoutFreeTier).toBeUndefined();
    expect(audit.breakEvenNote).toBeUndefined();
    const alone = await price(root, { subjects: ['audit'] });
    expect(alone.estimate.comparisons[0].breakEven).toBe(1_354);
  });

  it('draws the chart on the same account meter: every machine at 1,000 a month', async () => {
    const report = await price(root, { chart: true });
    // Per execution of both: 6 + 5 × 2.109 + 3 = 19.545 transitions; the free 4,000 last 4,000 / 19.545 ≈ 205 executions.
    expect(report.chart!.freeTierKnee).toBe(Math.round(4_000 / 19.545));
    // Lambda's free requests: 5 × 1.11 = 5.55 a run, 1M of them last 180,180 runs.
    expect(report.chart!.lambdaFreeTierKnee).toBe(Math.round(1_000_000 / 5.55));
    const at1k = report.chart!.points.find((point) => point.executions === 1_000)!;
    // 19,545 − 4,000 transitions; Lambda's 5,550 requests and 555 GB-s are free.
    expect(at1k.standard).toBeCloseTo(D(19_545 - 4_000).mul(PER_TRANSITION).toNumber(), 10);
  });
});

describe('a nested startExecution.sync:2 of a machine of the project', () => {
  const root = project({
    machines: {
      orders: {
        type: 'STANDARD',
        definition: {
          StartAt: 'Pay',
          States: {
            Pay: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:billing`, 'Input.$': '$' }, Next: 'Ship' },
            Ship: { Type: 'Pass', End: true },
          },
        },
      },
      billing: { type: 'EXPRESS', definition: { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: fn('charge'), End: true } } } },
    },
    functions: { charge: { memoryMB: 256, durationMs: 120 } },
    cost: { stateMachines: { orders: { executionsPerMonth: 100_000 }, billing: { executionsPerMonth: 50_000 } } },
  });

  it('prices the child as executions of its own machine, on top of its own, and the parent as Standard only', async () => {
    const report = await price(root);
    // orders: Pay + Ship = 2 transitions; 200,000 − 4,000 free.
    const orders = D(200_000 - 4_000).mul(PER_TRANSITION); // $4.90
    // billing runs 100,000 times for orders and 50,000 on its own: Express requests, 120 ms billed 200 ms at 64 MB.
    const childRequests = D(100_000).mul(PER_EXPRESS_REQUEST);
    const childDuration = D(100_000).mul(GB_64MB).mul('0.2').mul(EXPRESS_GBS);
    const ownRequests = D(50_000).mul(PER_EXPRESS_REQUEST);
    const ownDuration = D(50_000).mul(GB_64MB).mul('0.2').mul(EXPRESS_GBS);
    expect(line(report, 'Requests (Express) · orders › Pay → billing').cost!.toString()).toBe(childRequests.toString());
    expect(line(report, 'Duration (Express) · orders › Pay → billing').cost!.toString()).toBe(childDuration.toString());
    // charge: 150,000 requests and 150,000 × 0.25 GB × 0.12 s = 4,500 GB-s, all free; the start itself is no unpriced line.
    expect(sumOf(report, 'Lambda').toString()).toBe('0');
    expect(declared(report).items.some((item) => item.item.startsWith('states:startExecution'))).toBe(false);
    expect(declared(report).total.toString()).toBe(orders.add(childRequests).add(childDuration).add(ownRequests).add(ownDuration).toString());
    expect(declared(report).total.toString()).toBe('5.08125625');
    const parent = report.estimate.comparisons.find((row) => row.machine === 'orders')!;
    expect(parent.express).toBeNull();
    expect(parent.expressBlockers).toEqual(['Pay runs a .sync integration (states:startExecution.sync:2)']);
  });
});

describe('two states that start two different machines', () => {
  it('prices each start as executions of its own target', async () => {
    const start = (target: string, next: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${target}` }, ...next });
    const root = project({
      machines: {
        orders: { type: 'STANDARD', definition: { StartAt: 'Pay', States: { Pay: start('billing', { Next: 'Tell' }), Tell: start('notify', { End: true }) } } },
        billing: { type: 'EXPRESS', definition: { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: fn('charge'), End: true } } } },
        notify: { type: 'STANDARD', definition: { StartAt: 'Compose', States: { Compose: { Type: 'Pass', Next: 'Send' }, Send: { Type: 'Pass', End: true } } } },
      },
      functions: { charge: { memoryMB: 256, durationMs: 120 } },
      cost: { stateMachines: { orders: { executionsPerMonth: 10_000 }, billing: { executionsPerMonth: 0 }, notify: { executionsPerMonth: 1_000 } } },
    });
    const report = await price(root);
    // Transitions: orders 10,000 × 2, its notify children 10,000 × 2, notify's own 1,000 × 2; 4,000 free.
    const transitions = D(20_000 + 20_000 + 2_000 - 4_000).mul(PER_TRANSITION); // $0.95
    // billing for orders: 10,000 Express requests, 120 ms billed 200 ms at 64 MB.
    const billing = D(10_000).mul(PER_EXPRESS_REQUEST).add(D(10_000).mul(GB_64MB).mul('0.2').mul(EXPRESS_GBS));
    expect(line(report, 'State transitions (Standard) · orders › Tell → notify').usage.toString()).toBe('20000');
    expect(line(report, 'Requests (Express) · orders › Pay → billing').usage.toString()).toBe('10000');
    expect(declared(report).total.toString()).toBe(transitions.add(billing).toString());
    expect(declared(report).total.toString()).toBe('0.96208375');
  });
});

describe('Express duration: every execution rounded up to 100 ms on its own, then averaged', () => {
  const definition = { StartAt: 'Quote', States: { Quote: { Type: 'Task', Resource: fn('quote'), Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 1 }], End: true } } };
  const root = project({
    machines: { quote: { type: 'EXPRESS', definition } },
    functions: { quote: { memoryMB: 128, durationMs: 150 } },
    cost: { executionsPerMonth: 1_000_000, failureRates: { Quote: 0.5 } },
  });

  it('prices a retried Task over its outcomes: 150 ms or 150 + 1 s + 150 ms, not ceil of their mean', async () => {
    const report = await price(root);
    // Half the runs take 150 ms (billed 200), half 1,300 ms (billed 1,300): 750 ms on average; ceil(mean 725) would bill 800.
    const duration = line(report, 'Duration (Express) · quote');
    expect(duration.usage.toString()).toBe(D(1_000_000).mul(GB_64MB).mul('0.75').toString());
    const requests = D(1_000_000).mul(PER_EXPRESS_REQUEST);
    // 1.5 attempts a run: 1,500,000 Lambda requests, 1M free; 1,500,000 × 0.125 GB × 0.15 s = 28,125 GB-s free.
    const lambda = D(500_000).mul(PER_LAMBDA_REQUEST);
    expect(declared(report).total.toString()).toBe(requests.add(D(46_875).mul(EXPRESS_GBS)).add(lambda).toString());
    expect(declared(report).total.toString()).toBe('1.88140625');
    expect(report.assumptions.join('\n')).toMatch(/quote: Quote: 50% of attempts fail, retried up to 1 times, then fail the execution/);
  });

  it('prices measured runs one by one: 120, 180 and 950 ms bill 200, 200 and 1,000', async () => {
    const measure = async () => summarizeExecutions([run(120), run(180), run(950)]);
    const report = await price(root, { fromExecutions: true, measure });
    // (200 + 200 + 1,000) / 3 ms a run; ceil(mean 416.7 ms) would bill 500.
    const duration = line(report, 'Duration (Express) · quote');
    expect(duration.usage.toNumber()).toBeCloseTo(D(1_000_000).mul(GB_64MB).toNumber() * (1_400 / 3 / 1_000), 3);
    expect(report.assumptions.join('\n')).toMatch(/quote: Express duration priced over 3 measured runs, each rounded up to 100 ms \(mean 417 ms\)/);
  });
});

describe('Express memory as AWS estimates it: 50 MB + definition + payload × Map or Parallel steps, in 64 MB chunks', () => {
  /** A definition of exactly `bytes` bytes of JSON with an inline Map of `items` items. */
  const sized = (bytes: number) => {
    const definition = { Comment: '', StartAt: 'Each', States: { Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } };
    definition.Comment = 'x'.repeat(bytes - JSON.stringify(definition).length);
    return definition as unknown as StateMachineDefinition;
  };

  it("reproduces AWS's pricing example: 50 KB definition, 400 Map steps of 32 KB = 62.85 MB, billed 64 MB", () => {
    const definition = sized(50_000);
    const model = modelMachine({ definition, hints: { mapItems: { Each: 400 } } });
    const memory = expressMemory(definition, model, 32, []);
    // 50 MB + 50 KB + 32 KB × 400 = 50 + 0.05 + 12.8 MB, as AWS's example writes it (1 MB = 1,000 KB).
    expect(memory.memoryMB).toBeCloseTo(62.85, 10);
    expect(memory.text).toMatch(/^64 MB billed: 50 MB \+ 50 KB definition \+ 32 KB payload \(payloadKB\) × 400 Map or Parallel steps = 62.85 MB/);
  });

  it('moves to the next 64 MB chunk past 64 MB: 220 steps of 64 KB bill 128 MB', async () => {
    const definition = sized(2_000);
    const root = project({ machines: { fan: { type: 'EXPRESS', definition } }, cost: { executionsPerMonth: 1_000, payloadKB: 64, mapItems: { Each: 220 } } });
    const report = await price(root);
    // 50 + 2 KB + 64 KB × 220 = 50 + 0.002 + 14.08 = 64.082 MB → 128 MB; Pass states take no time, billed 100 ms.
    expect(report.machines[0].expressMemoryMB).toBeCloseTo(64.082, 10);
    expect(line(report, 'Duration (Express) · fan').usage.toString()).toBe(D(1_000).mul('0.125').mul('0.1').toString());
  });
});

describe('Bedrock tokens from what the project records', () => {
  const haiku = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
  const legacy = 'anthropic.claude-3-haiku-20240307-v1:0';
  const invoke = (modelId: string, body: object, next: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: modelId, Body: body }, ...next });
  const prompt = 'Summarise the complaint in one sentence.'; // 40 characters: 10 tokens at 4 a token
  const root = project({
    machines: {
      triage: {
        type: 'STANDARD',
        definition: {
          StartAt: 'Classify',
          States: {
            Classify: invoke(haiku, { max_tokens: 10, messages: [{ role: 'user', 'content.$': '$.text' }] }, { Next: 'Summarise' }),
            Summarise: invoke(haiku, { max_tokens: 200, messages: [{ role: 'user', content: prompt }] }, { Next: 'Archive' }),
            Archive: invoke(legacy, { messages: [{ role: 'user', 'content.$': '$.text' }] }, { End: true }),
          },
        },
      },
    },
    mocks: {
      StateMachines: { triage: { TestCases: { Damaged: { Classify: 'Damaged' }, Late: { Classify: 'Late' } } } },
      MockedResponses: { Damaged: { '0': { Return: { Body: { usage: { input_tokens: 52, output_tokens: 3 } } } } }, Late: { '0': { Return: { Body: { usage: { input_tokens: 48, output_tokens: 5 } } } } } },
    },
    cost: { executionsPerMonth: 10_000 },
  });

  it('takes the mocked usage first, then max_tokens and the written prompt, then a stated default, and warns of the legacy model', async () => {
    const report = await price(root);
    // Haiku 4.5: Classify records (52 + 48) / 2 = 50 in and 4 out; Summarise has no mocks: 10 in (its prompt), 200 out (max_tokens).
    // Both run once an execution: (50 + 10) / 2 = 30 input and (4 + 200) / 2 = 102 output tokens a call, 20,000 calls.
    expect(line(report, `Input tokens · ${haiku}`).cost!.toString()).toBe(D(20_000 * 30).mul(HAIKU_45_GLOBAL.input).toString());
    expect(line(report, `Output tokens · ${haiku}`).cost!.toString()).toBe(D(20_000 * 102).mul(HAIKU_45_GLOBAL.output).toString());
    // Claude 3 Haiku, prompt from the input and no max_tokens: the stated 1,000 / 300, at $0.00025 / $0.00125 per 1,000.
    expect(line(report, `Input tokens · ${legacy}`).cost!.toString()).toBe(D(10_000 * 1_000 / 1_000).mul(HAIKU_3.input).toString());
    expect(line(report, `Output tokens · ${legacy}`).cost!.toString()).toBe(D(10_000 * 300 / 1_000).mul(HAIKU_3.output).toString());
    const assumptions = report.assumptions.join('\n');
    expect(assumptions).toMatch(new RegExp(`Bedrock ${haiku}: 30 input tokens per call \\(mocked responses and prompt size\\) and 102 output tokens \\(mocked responses and max_tokens of the request\\)`));
    expect(assumptions).toMatch(new RegExp(`Bedrock ${legacy}: 1,000 input tokens per call \\(default\\) and 300 output tokens \\(default\\)`));
    expect(report.warnings.join('\n')).toMatch(/Claude 3 Haiku is a legacy model past its end of life/);
  });
});

/** One execution's history, its events `ms` apart in time as given. */
function history(build: (add: (type: string, details?: Partial<HistoryEvent>, at?: number) => void) => void): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  build((type, details = {}, at = 0) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: id - 1, type: type as HistoryEvent['type'], timestamp: new Date(Date.UTC(2026, 11, 1) + at), ...details });
  });
  return events;
}

/** A run of `quote` that took `ms`. */
function run(ms: number): HistoryEvent[] {
  return history((add) => {
    add('ExecutionStarted');
    add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Quote' } });
    add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: JSON.stringify({ FunctionName: fn('quote') }) } });
    add('TaskSucceeded', {}, ms);
    add('TaskStateExited', { stateExitedEventDetails: { name: 'Quote' } }, ms);
    add('ExecutionSucceeded', {}, ms);
  });
}

describe('--from-executions keeps everything it measured', () => {
  const haiku = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
  const definition = {
    StartAt: 'Classify',
    States: {
      Classify: {
        Type: 'Task',
        Resource: 'arn:aws:states:::bedrock:invokeModel',
        Parameters: { ModelId: haiku, Body: { max_tokens: 50, messages: [{ role: 'user', 'content.$': '$.text' }] } },
        Retry: [{ ErrorEquals: ['Bedrock.ThrottlingException'], MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Refund' }],
        Next: 'Notify',
      },
      Notify: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:t`, Message: 'ok' }, End: true },
      Refund: { Type: 'Task', Resource: fn('refund'), Next: 'Failed' },
      Failed: { Type: 'Fail', Error: 'Unclassified' },
    },
  };
  const root = project({ machines: { triage: { type: 'STANDARD', definition } }, functions: { refund: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 30_000 } });
  const bedrock = ['TaskScheduled', { taskScheduledEventDetails: { resourceType: 'bedrock', resource: 'invokeModel', region: 'us-east-1', parameters: JSON.stringify({ ModelId: haiku }) } }] as const;
  const classified = (input: number, output: number) =>
    history((add) => {
      add('ExecutionStarted');
      add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Classify' } });
      add(...bedrock);
      add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'bedrock', resource: 'invokeModel', output: JSON.stringify({ Body: { usage: { input_tokens: input, output_tokens: output } } }) } });
      add('TaskStateExited', { stateExitedEventDetails: { name: 'Classify' } });
      add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Notify' } });
      add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'sns', resource: 'publish', region: 'us-east-1', parameters: '{}' } });
      add('TaskSucceeded');
      add('TaskStateExited', { stateExitedEventDetails: { name: 'Notify' } });
      add('ExecutionSucceeded');
    });
  const throttled = history((add) => {
    add('ExecutionStarted');
    add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Classify' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      add(...bedrock);
      add('TaskFailed', { taskFailedEventDetails: { resourceType: 'bedrock', resource: 'invokeModel', error: 'Bedrock.ThrottlingException' } });
    }
    add('TaskStateExited', { stateExitedEventDetails: { name: 'Classify' } });
    add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Refund' } });
    add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'us-east-1', parameters: JSON.stringify({ FunctionName: fn('refund') }) } });
    add('TaskSucceeded');
    add('TaskStateExited', { stateExitedEventDetails: { name: 'Refund' } });
    add('FailStateEntered', { stateEnteredEventDetails: { name: 'Failed' } });
    add('ExecutionFailed');
  });

  it('bills the compensation, the measured integration counts and the tokens the histories record', async () => {
    const measured = summarizeExecutions([classified(120, 8), classified(180, 12), throttled]);
    // Transitions: 2, 2, and Classify + its retry + Refund + Failed = 4.
    expect(measured!.transitions.expected).toBeCloseTo(8 / 3, 10);
    const report = await price(root, { fromExecutions: true, measure: async () => measured });
    const transitions = D(30_000 * (8 / 3) - 4_000).mul(PER_TRANSITION); // 76,000 billed: $1.90
    expect(line(report, 'State transitions (Standard) · triage').cost!.toString()).toBe(transitions.toString());
    // Refund ran in one run of three, off the static path (no failure rates): 10,000 calls a month, kept.
    expect(line(report, 'Requests (x86_64) · refund').usage.toString()).toBe('10000');
    // Notify ran in two runs of three: 20,000 SNS publishes, not the static path's 30,000.
    expect(line(report, 'sns:publish · Notify').usage.toString()).toBe('20000');
    // Bedrock: 4 calls in 3 runs (40,000 a month), but only the 2 that answered used tokens: 300 in and 20 out in all,
    // 75 in and 5 out a call. A throttled call bills none.
    expect(line(report, `Input tokens · ${haiku}`).usage.toString()).toBe(String(40_000 * 75));
    expect(line(report, `Input tokens · ${haiku}`).cost!.toString()).toBe(D(3_000_000).mul(HAIKU_45_GLOBAL.input).toString());
    expect(line(report, `Output tokens · ${haiku}`).cost!.toString()).toBe(D(200_000).mul(HAIKU_45_GLOBAL.output).toString());
    expect(declared(report).total.toString()).toBe(transitions.add(D(3)).add(D(1)).toString());
    expect(report.assumptions.join('\n')).toMatch(/Bedrock .*: 75 input tokens per call \(measured runs\) and 5 output tokens \(measured runs\)/);
  });

  it('never calls a machine cheaper as Express when its measured runs take over 5 minutes', async () => {
    const slow = (minutes: number) => history((add) => {
      add('ExecutionStarted');
      add('PassStateEntered', { stateEnteredEventDetails: { name: 'Classify' } });
      add('ExecutionSucceeded', {}, minutes * 60_000);
    });
    const report = await price(root, { fromExecutions: true, measure: async () => summarizeExecutions([slow(4), slow(9)]) });
    const [comparison] = report.estimate.comparisons;
    expect(comparison.express).toBeNull();
    expect(comparison.expressBlockers.join()).toMatch(/measured executions take 6.5 min on average; Express stops at 5 minutes/);
  });
});

describe('the assumptions every estimate states', () => {
  it('says that the start and end are not counted, that retries need failure rates, and which Choice weights it used', async () => {
    const root = project({
      machines: { route: { type: 'STANDARD', definition: { StartAt: 'Size', States: { Size: { Type: 'Choice', Choices: [{ Variable: '$.big', BooleanEquals: true, Next: 'Big' }], Default: 'Small' }, Big: { Type: 'Pass', End: true }, Small: { Type: 'Pass', End: true } } } } },
    });
    const text = (await price(root)).assumptions.join('\n');
    expect(text).toMatch(/the start and the end of an execution are not billed as transitions/);
    expect(text).toMatch(/no failures: retries and Catch paths are counted only for states given failureRates/);
    expect(text).toMatch(/route: Size: no branch weights, even split over Big, Small/);
  });
});

describe("a Distributed Map's Express children, each billed at its own memory and duration", () => {
  const file = (index: number) => ({ key: `incoming/scan-${String(index).padStart(4, '0')}.pdf`, size: 48_213 });
  const processor = {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Thumb', States: { Thumb: { Type: 'Task', Resource: fn('thumb'), End: true } } },
          { StartAt: 'Meta', States: { Meta: { Type: 'Task', Resource: fn('meta'), End: true } } },
        ],
        End: true,
      },
    },
  };
  const definition = { StartAt: 'Fan', States: { Fan: { Type: 'Map', ItemsPath: '$.files', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...processor }, End: true } } };
  const files = Array.from({ length: 50 }, (_, index) => file(index));
  const root = project({
    machines: { scan: { type: 'STANDARD', definition, events: { a: { files }, b: { files } } } },
    functions: { thumb: { memoryMB: 256, durationMs: 340 }, meta: { memoryMB: 128, durationMs: 60 } },
    // The parent's own Express figure: it must not reach the children.
    cost: { executionsPerMonth: 20_000, express: { memoryMB: 1_024 } },
  });

  it("prices each child by AWS's rule for the child: its own definition, its item, its own Parallel", async () => {
    const report = await price(root);
    // A child's memory: 50 MB + the item processor's JSON + the largest item × 2 (Parallel's branches), about 50.0004 MB: 64 MB.
    const childBytes = Buffer.byteLength(JSON.stringify(processor));
    const itemBytes = Buffer.byteLength(JSON.stringify(file(49)));
    const memory = 50 + childBytes / 1_000_000 + (itemBytes * 2) / 1_000_000;
    expect(report.assumptions.join('\n')).toContain(`scan: Fan: Express memory of each child execution 64 MB billed: 50 MB + ${Math.round(childBytes / 10) / 100} KB child definition`);
    expect(memory).toBeLessThan(64);
    // 20,000 executions × 50 items = 1,000,000 children. Each takes max(340, 60) = 340 ms, billed 400 ms, at 64 MB
    // (the parent's 1,024 MB would bill 400,000 GB-s): 1,000,000 × 0.0625 GB × 0.4 s = 25,000 GB-s.
    const requests = D(1_000_000).mul(PER_EXPRESS_REQUEST); // $1
    const duration = D(25_000).mul(EXPRESS_GBS); // $0.41675
    expect(line(report, 'Duration (Express) · scan › Fan (Distributed Map)').usage.toString()).toBe('25000');
    expect(line(report, 'Duration (Express) · scan › Fan (Distributed Map)').cost!.toString()).toBe(duration.toString());
    // Parent: Fan + 50 children = 51 transitions; 1,020,000 − 4,000 free.
    const parent = D(20_000 * 51 - 4_000).mul(PER_TRANSITION); // $25.40
    // Lambda: 2,000,000 requests, 1M free; 85,000 + 7,500 GB-s, inside the free 400,000.
    const lambda = D(1_000_000).mul(PER_LAMBDA_REQUEST); // $0.20
    expect(declared(report).total.toString()).toBe(parent.add(requests).add(duration).add(lambda).toString());
    expect(declared(report).total.toString()).toBe('27.01675');
  });

  it("counts the child's Parallel in the child's memory, not in the parent's", () => {
    // No sample items: the child's input is taken as payloadKB, 8,000 KB: 50 MB + child + 8 MB × 2 = 66 MB, billed 128 MB.
    const model = modelMachine({ definition: definition as unknown as StateMachineDefinition, hints: { mapItems: { Fan: 10 } }, payloadKB: 8_000 });
    const childBytes = Buffer.byteLength(JSON.stringify(processor));
    expect(model.children[0].memoryMB).toBeCloseTo(50 + childBytes / 1_000_000 + 16, 10);
    expect(model.payloadCopies).toBe(1);
  });
});

describe("an inline Map's item count in an Express execution's duration", () => {
  const definition = (maxConcurrency?: number) => ({
    StartAt: 'Each',
    States: { Each: { Type: 'Map', ItemsPath: '$.parcels', ...(maxConcurrency ? { MaxConcurrency: maxConcurrency } : {}), ItemProcessor: { StartAt: 'Route', States: { Route: { Type: 'Task', Resource: fn('route'), End: true } } }, End: true } },
  });
  const gbs = (report: CostReport) => line(report, 'Duration (Express) · route').usage.toNumber();

  it('prices each sample count on its own: 1 and 4 parcels one at a time take 120 and 480 ms, billed 200 and 500', async () => {
    const root = project({
      machines: { route: { type: 'EXPRESS', definition: definition(1), events: { one: { parcels: [{ id: 1 }] }, four: { parcels: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] } } } },
      functions: { route: { memoryMB: 128, durationMs: 120 } },
      cost: { executionsPerMonth: 1_000_000 },
    });
    // (200 + 500) / 2 = 350 ms a run at 64 MB; the mean count 2.5 → 3 rounds of 120 ms would bill 400.
    expect(gbs(await price(root))).toBeCloseTo(1_000_000 * 0.0625 * 0.35, 6);
  });

  it('spreads min / expected / max: 1, 4 and 10 items two at a time', async () => {
    const root = project({
      machines: { route: { type: 'EXPRESS', definition: definition(2) } },
      functions: { route: { memoryMB: 128, durationMs: 150 } },
      cost: { executionsPerMonth: 1_000_000, mapItems: { Each: { min: 1, expected: 4, max: 10 } } },
    });
    const report = await price(root);
    // A third at 4, two thirds on 1 and 10 weighted 6 : 3: P(1) = 4/9, P(4) = 3/9, P(10) = 2/9 (mean 4).
    // 1 item: 150 ms → 200; 4 items: 2 rounds, 300 ms → 300; 10 items: 5 rounds, 750 ms → 800.
    // (4 × 200 + 3 × 300 + 2 × 800) / 9 = 3,300 / 9 ms; ceil(2 rounds × 150 ms) would bill 300.
    expect(gbs(report)).toBeCloseTo(1_000_000 * 0.0625 * (3_300 / 9 / 1_000), 3);
    expect(report.assumptions.join('\n')).toMatch(/route: Each: item counts 1–10 priced as 1 \(44.44%\), 4 \(33.33%\), 10 \(22.22%\)/);
  });

  it("runs at most 40 iterations at once, as AWS's inline mode does: 100 items of 100 ms take 3 rounds", async () => {
    const root = project({ machines: { route: { type: 'EXPRESS', definition: definition() } }, functions: { route: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 1_000_000, mapItems: { Each: 100 } } });
    // 40 + 40 + 20: 300 ms a run, not one 100 ms round.
    expect(gbs(await price(root))).toBeCloseTo(1_000_000 * 0.0625 * 0.3, 6);
  });
});

describe('a Standard and an Express machine on one account', () => {
  const root = project({
    machines: {
      orders: { type: 'STANDARD', definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'C' }, C: { Type: 'Succeed' } } } },
      quote: { type: 'EXPRESS', definition: { StartAt: 'Quote', States: { Quote: { Type: 'Task', Resource: fn('quote'), End: true } } } },
    },
    functions: { quote: { memoryMB: 128, durationMs: 80 } },
    cost: { stateMachines: { orders: { executionsPerMonth: 1_000 }, quote: { executionsPerMonth: 200_000 } } },
  });

  it('gives the free transitions to the Standard machine only, and finds the break-even where the rest of them run out', async () => {
    const report = await price(root);
    // orders: 1,000 × 3 = 3,000 transitions, all free. quote: 200,000 Express requests and 200,000 × 0.0625 GB × 0.1 s
    // (80 ms billed 100) = 1,250 GB-s; Express has no free tier. Lambda's 200,000 requests and 2,000 GB-s are free.
    const quote = D(200_000).mul(PER_EXPRESS_REQUEST).add(D(1_250).mul(EXPRESS_GBS)); // $0.2208375
    expect(declared(report).total.toString()).toBe(quote.toString());
    const row = report.estimate.comparisons.find((entry) => entry.machine === 'quote')!;
    // As Standard (orders as declared, using 3,000 of the 4,000): (n − 1,000) × $0.000025 against
    // n × ($0.000001 + 0.0625 × 0.1 × $0.00001667) = n × $0.0000011041875: equal at n = 0.025 / 0.0000238958125 = 1,046.2.
    expect(row.breakEven).toBe(1_047);
    // Without the free tier Express is cheaper at every volume: the break-even is only where the free tier runs out.
    expect(row.breakEvenWithoutFreeTier).toBeUndefined();
    expect(row.breakEvenNote).toMatch(/only where the free tier runs out/);
    // The Standard view shares the 4,000 free among both, orders first: quote pays 200,000 − 1,000.
    expect(row.standard.toString()).toBe(D(199_000).mul(PER_TRANSITION).toString());
    expect(report.estimate.comparisons.find((entry) => entry.machine === 'orders')!.standard.toString()).toBe('0');
  });
});

describe('a started machine runs with its own usage figures', () => {
  const start = { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:billing` }, End: true };
  const root = project({
    machines: {
      orders: { type: 'STANDARD', definition: { StartAt: 'Pay', States: { Pay: start } } },
      billing: { type: 'EXPRESS', definition: { StartAt: 'Charge', States: { Charge: { Type: 'Task', Resource: fn('charge'), End: true } } } },
    },
    functions: { charge: { memoryMB: 128, durationMs: 120 } },
    // billing's measured figures: 900 ms at 256 MB a run.
    cost: { stateMachines: { orders: { executionsPerMonth: 10_000 }, billing: { executionsPerMonth: 0, express: { memoryMB: 256, durationMs: 900 } } } },
  });
  // 10,000 starts × 0.25 GB × 0.9 s = 2,250 GB-s (the static 120 ms at 64 MB would be 10,000 × 0.0625 × 0.2 = 125).
  for (const subjects of [[], ['orders']]) {
    it(`bills the started executions at 256 MB and 900 ms, priced ${subjects.length === 0 ? 'with' : 'without'} billing itself`, async () => {
      const report = await price(root, { subjects });
      expect(line(report, 'Duration (Express) · orders › Pay → billing').usage.toString()).toBe('2250');
    });
  }
});

describe('a Distributed Map whose Express children would outlast 5 minutes', () => {
  it('warns that they would time out, as it does for a machine', () => {
    const definition = { StartAt: 'Fan', States: { Fan: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Settle', States: { Settle: { Type: 'Wait', Seconds: 420, End: true } } }, End: true } } };
    const model = modelMachine({ definition: definition as unknown as StateMachineDefinition, hints: { mapItems: { Fan: 3 } } });
    // 420 s = 7 min a child.
    expect(model.warnings).toContain('Fan: its Express child executions take up to 7 min; Express stops at 5 minutes (make the children STANDARD)');
  });
});

describe('Claude Haiku called through Converse (the SDK integration)', () => {
  const haiku = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
  const converse = (extra: object, next: object) => ({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:bedrockruntime:converse', Parameters: { ModelId: haiku, ...extra }, ...next });
  const root = project({
    machines: {
      reply: {
        type: 'STANDARD',
        definition: {
          StartAt: 'Draft',
          States: {
            // 40 characters written: 10 tokens; at most 200 out.
            Draft: converse({ Messages: [{ Role: 'user', Content: [{ Text: 'Summarise the complaint in one sentence.' }] }], InferenceConfig: { MaxTokens: 200 } }, { Next: 'Tone' }),
            Tone: converse({ 'Messages.$': '$.messages' }, { End: true }),
          },
        },
      },
    },
    mocks: { StateMachines: { reply: { TestCases: { Happy: { Tone: 'Toned' } } } }, MockedResponses: { Toned: { '0': { Return: { Output: {}, Usage: { InputTokens: 70, OutputTokens: 30, TotalTokens: 100 } } } } } },
    cost: { executionsPerMonth: 10_000 },
  });

  it('prices its tokens as Bedrock, from the request and from the mocked Converse usage', async () => {
    const report = await price(root);
    // Draft: 10 in (its prompt), 200 out (MaxTokens); Tone: 70 in and 30 out (its mocked Usage). 20,000 calls,
    // (10 + 70) / 2 = 40 in and (200 + 30) / 2 = 115 out a call.
    expect(line(report, `Input tokens · ${haiku}`).cost!.toString()).toBe(D(20_000 * 40).mul(HAIKU_45_GLOBAL.input).toString());
    expect(line(report, `Output tokens · ${haiku}`).cost!.toString()).toBe(D(20_000 * 115).mul(HAIKU_45_GLOBAL.output).toString());
    expect(declared(report).items.some((item) => item.item.startsWith('aws-sdk:bedrockruntime:converse'))).toBe(false);
  });
});

describe('mocked Bedrock responses keyed by an invocation range', () => {
  const haiku = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
  const usage = (input: number, output: number) => ({ Return: { Body: { usage: { input_tokens: input, output_tokens: output } } } });
  const root = project({
    machines: {
      tag: {
        type: 'STANDARD',
        definition: {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemProcessor: { StartAt: 'Classify', States: { Classify: { Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: haiku, Body: { 'messages.$': '$.messages' } }, End: true } } },
              End: true,
            },
          },
        },
      },
    },
    // A run classifies 4 parcels: the mock answers invocation 0 with one usage and invocations 1, 2 and 3 with another.
    mocks: { StateMachines: { tag: { TestCases: { Four: { Classify: 'Tagged' } } } }, MockedResponses: { Tagged: { '0': usage(100, 10), '1-3': usage(500, 50) } } },
    cost: { executionsPerMonth: 10_000, mapItems: { Each: 4 } },
  });

  it('counts a "1-3" response once for every invocation it answers', async () => {
    const report = await price(root);
    // Per call: (100 + 3 × 500) / 4 = 400 input and (10 + 3 × 50) / 4 = 40 output tokens, not (100 + 500) / 2 = 300 and 30.
    // 10,000 runs × 4 calls = 40,000 calls: 16,000,000 input tokens at $1 per million, 1,600,000 output at $5.
    expect(line(report, `Input tokens · ${haiku}`).cost!.toString()).toBe(D(40_000 * ((100 + 3 * 500) / 4)).mul(HAIKU_45_GLOBAL.input).toString());
    expect(line(report, `Output tokens · ${haiku}`).cost!.toString()).toBe(D(40_000 * ((10 + 3 * 50) / 4)).mul(HAIKU_45_GLOBAL.output).toString());
    expect(report.assumptions.join('\n')).toMatch(/Bedrock .*: 400 input tokens per call \(mocked responses\) and 40 output tokens \(mocked responses\)/);
  });
});

describe("a Map's child input is the item as ItemSelector shapes it", () => {
  // Each scanned file carries a 2,000-character preview the children never see: ItemSelector keeps its key and the bucket.
  const file = (index: number) => ({ key: `incoming/scan-${String(index).padStart(4, '0')}.pdf`, preview: 'x'.repeat(2_000) });
  const files = Array.from({ length: 20 }, (_, index) => file(index));
  const child = { StartAt: 'Ocr', States: { Ocr: { Type: 'Task', Resource: fn('ocr'), End: true } } };

  it('sizes a Distributed Map\'s Express child from the selected item (JSONPath ItemSelector with $$.Map.Item.Value)', async () => {
    const definition = {
      StartAt: 'Fan',
      States: { Fan: { Type: 'Map', ItemsPath: '$.files', ItemSelector: { 'key.$': '$$.Map.Item.Value.key', 'bucket.$': '$.bucket' }, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, ...child }, End: true } },
    };
    const root = project({ machines: { scan: { type: 'STANDARD', definition, events: { a: { bucket: 'scans', files } } } }, functions: { ocr: { memoryMB: 128, durationMs: 250 } }, cost: { executionsPerMonth: 1_000 } });
    const report = await price(root);
    // The child's input: {"key":"incoming/scan-0000.pdf","bucket":"scans"}, 49 bytes, not the 2,046-byte item as read.
    const selectedBytes = JSON.stringify({ key: 'incoming/scan-0000.pdf', bucket: 'scans' }).length;
    expect(selectedBytes).toBe(49);
    const childBytes = Buffer.byteLength(JSON.stringify(child));
    const [children] = modelMachine({ definition: definition as unknown as StateMachineDefinition, sampleInputs: [{ bucket: 'scans', files }] }).children;
    // 50 MB + the child's definition + 48 bytes × 1 step (decimal MB, as AWS's example).
    expect(children.memoryMB).toBeCloseTo(50 + childBytes / 1_000_000 + selectedBytes / 1_000_000, 12);
    expect(report.assumptions.join('\n')).toContain(`0.05 KB input (the largest item of the sample events as ItemSelector shapes it (0.05 KB)) × 1 Map or Parallel step`);
    // 1,000 runs × 20 children: 20,000 Express requests and 20,000 × 64 MB × 300 ms (250 ms billed up) = 375 GB-s.
    expect(line(report, 'Requests (Express) · scan › Fan (Distributed Map)').cost!.toString()).toBe(D(20_000).mul(PER_EXPRESS_REQUEST).toString());
    expect(line(report, 'Duration (Express) · scan › Fan (Distributed Map)').cost!.toString()).toBe(D(20_000).mul(GB_64MB).mul('0.3').mul(EXPRESS_GBS).toString());
  });

  it("holds each inline iteration's selected input in an Express machine's memory (JSONata ItemSelector)", () => {
    const definition = {
      QueryLanguage: 'JSONata',
      StartAt: 'Each',
      States: { Each: { Type: 'Map', Items: '{% $states.input.files %}', ItemSelector: { key: '{% $states.context.Map.Item.Value.key %}' }, ItemProcessor: child, End: true } },
    } as unknown as StateMachineDefinition;
    const sample = { files: files.slice(0, 3) };
    const model = modelMachine({ definition, sampleInputs: [sample] });
    const memory = expressMemory(definition, model, undefined, [sample]);
    // 50 MB + definition + the sample event × 1 (the payload itself) + 3 iterations × {"key":"incoming/scan-0000.pdf"} (32 bytes):
    // each iteration holds its selected input, not the 2,034-byte item nor the whole event.
    const itemBytes = JSON.stringify({ key: 'incoming/scan-0000.pdf' }).length;
    expect(itemBytes).toBe(32);
    const sampleBytes = JSON.stringify(sample).length;
    expect(memory.memoryMB).toBeCloseTo(50 + JSON.stringify(definition).length / 1_000_000 + sampleBytes / 1_000_000 + (3 * itemBytes) / 1_000_000, 12);
    expect(memory.text).toContain('× 1 Map or Parallel step + 0.1 KB of inline Map iterations\' inputs');
  });
});

describe('Standard vs Express in a region the snapshot has no prices for', () => {
  const root = project({
    machines: { quote: { type: 'EXPRESS', definition: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } } } },
    cost: { executionsPerMonth: 100_000 },
  });

  it('prices the comparison where the snapshot has prices: us-east-1', async () => {
    const [row] = (await price(root)).estimate.comparisons;
    // Standard: 100,000 × 2 transitions − 4,000 free = 196,000 × $0.000025 = $4.90.
    expect(row.standard.toString()).toBe(D(196_000).mul(PER_TRANSITION).toString());
    // Express: 100,000 requests × $0.000001 + 100,000 × 64 MB × 100 ms = 625 GB-s × $0.00001667.
    expect(row.express!.toString()).toBe(D(100_000).mul(PER_EXPRESS_REQUEST).add(D(625).mul(EXPRESS_GBS)).toString());
    expect(row.cheaper).toBe('EXPRESS');
  });

  it('says "not priced" for both sides, the cheaper type, the break-even and the chart in af-south-1', async () => {
    const report = await price(root, { region: 'af-south-1', chart: true });
    const [row] = report.estimate.comparisons;
    expect(row.standardNotPriced).toMatch(/no price for Step Functions state transitions in af-south-1/);
    expect(row.expressNotPriced).toMatch(/no price for Step Functions Express requests in af-south-1/);
    expect(row.cheaper).toBe('not priced');
    expect(row.breakEven).toBeUndefined();
    expect(row.breakEvenWithoutFreeTier).toBeUndefined();
    expect(report.estimate.totals.cheaper).toBe('not priced');
    expect(report.chart!.points).toEqual([]);
    expect(report.chart!.notPriced).toMatch(/af-south-1/);
    const { costText } = await import('../../src/cost/command.js');
    const text = await costText(report);
    const table = text.slice(text.indexOf('Standard vs Express'), text.indexOf('Assumptions'));
    expect(table).toMatch(/quote\s+100,000\s+not priced\s+not priced\s+not priced\s+not priced/);
    expect(table).not.toContain('$0.00');
    expect(table).not.toMatch(/cheaper by/);
    expect(table).toContain('Whole project: Standard and Express not compared: the Step Functions charges are not priced in af-south-1');
    expect(text).toContain('No chart: the Step Functions charges are not priced here');
  });
});

describe('the whole-project comparison when no machine can run as Express', () => {
  const root = project({
    machines: { approve: { type: 'STANDARD', definition: { StartAt: 'Ask', States: { Ask: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } }, End: true } } } } },
    cost: { executionsPerMonth: 100_000 },
  });

  it('says Express is not possible, not "the same"', async () => {
    const report = await price(root);
    const [row] = report.estimate.comparisons;
    expect(row.express).toBeNull();
    const { costText } = await import('../../src/cost/command.js');
    const text = await costText(report);
    // Standard: 100,000 × 1 transition − 4,000 free = 96,000 × $0.000025 = $2.40.
    expect(D(96_000).mul(PER_TRANSITION).toString()).toBe('2.4');
    expect(text).toContain('Whole project: Standard $2.40 a month; Express not possible (its machine uses what Express cannot run: see the note below)');
    expect(text).not.toMatch(/Express where possible|→ the same/);
  });

  it('in a region without prices says not priced, never "Standard $0.00 a month"', async () => {
    const { costText } = await import('../../src/cost/command.js');
    const text = await costText(await price(root, { region: 'af-south-1' }));
    expect(text).toContain('Whole project: Standard and Express not compared: the Step Functions charges are not priced in af-south-1');
    expect(text).not.toContain('Standard $0.00 a month');
  });
});

describe('--from-executions reads the child executions the measured runs started', () => {
  const definition = {
    StartAt: 'Fan',
    States: { Fan: { Type: 'Map', ItemsPath: '$.orders', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fn('work'), End: true } } }, End: true } },
  };
  const root = project({ machines: { batch: { type: 'STANDARD', definition } }, functions: { work: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10 } } });
  const mapRunArn = (n: number) => `arn:aws:states:us-east-1:${ACCOUNT}:mapRun:batch/Fan:run${n}`;
  const parent = (n: number) =>
    history((add) => {
      add('ExecutionStarted');
      add('MapStateEntered', { stateEnteredEventDetails: { name: 'Fan' } });
      add('MapStateStarted', { mapStateStartedEventDetails: { length: 3 } });
      add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: mapRunArn(n) } });
      add('MapRunSucceeded');
      add('MapStateSucceeded');
      add('MapStateExited', { stateExitedEventDetails: { name: 'Fan' } });
      add('ExecutionSucceeded');
    });
  /** A run whose one Task `state` started an execution (`resource`: startExecution, .sync or .sync:2) and got its ARN back. */
  const startedRun = (state: string, resource: string, executionArn: string) =>
    history((add) => {
      add('ExecutionStarted');
      add('TaskStateEntered', { stateEnteredEventDetails: { name: state } });
      add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'states', resource, region: 'us-east-1', parameters: '{}' } });
      add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'states', resource, output: JSON.stringify({ ExecutionArn: executionArn }) } });
      add('TaskStateExited', { stateExitedEventDetails: { name: state } });
      add('ExecutionSucceeded');
    });
  /** A child: Work once, or retried once (two Lambda attempts, two transitions). */
  const child = (attempts: number) =>
    history((add) => {
      add('ExecutionStarted');
      add('TaskStateEntered', { stateEnteredEventDetails: { name: 'Work' } });
      for (let attempt = 1; attempt <= attempts; attempt++) {
        add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource: fn('work') } });
        add(attempt < attempts ? 'LambdaFunctionFailed' : 'LambdaFunctionSucceeded', attempt < attempts ? { lambdaFunctionFailedEventDetails: { error: 'Busy' } } : {});
      }
      add('TaskStateExited', { stateExitedEventDetails: { name: 'Work' } });
      add('ExecutionSucceeded');
    });

  it('finds the Map Runs and the started executions in a parent history', () => {
    const started = startedRun('Ship', 'startExecution.sync:2', 'arn:aws:states:us-east-1:123456789012:execution:ship:1');
    expect(childReferences(parent(1))).toEqual([{ state: 'Fan', kind: 'mapRun', arn: mapRunArn(1) }]);
    expect(childReferences(started)).toEqual([{ state: 'Ship', kind: 'execution', arn: 'arn:aws:states:us-east-1:123456789012:execution:ship:1' }]);
  });

  it('bills the children counted in the Map Runs with their own measured transitions and calls, not the static model', async () => {
    // Two parent runs: Map Runs of 3 and 5 children, 4 a run; of the children read, one ran Work once, one retried it.
    const measured = summarizeExecutions([parent(1), parent(2)])!;
    measured.children = [{ state: 'Fan', kind: 'mapRun', perExecution: (3 + 5) / 2, usage: summarizeExecutions([child(1), child(2)])! }];
    const report = await price(root, { fromExecutions: true, measure: async () => measured });
    // Parent: Fan (1) + one transition per child (4) = 5 a run, 50,000 a month (static: 1 + 10 items = 110,000).
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe(String(10_000 * (1 + 4)));
    // Children: 40,000 a month × (1 + 2) / 2 = 1.5 transitions each = 60,000 (static: 100,000 × 1).
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map)').usage.toString()).toBe(String(40_000 * 1.5));
    // Work: 40,000 children × 1.5 attempts = 60,000 invocations, which the parent's own history does not hold.
    expect(line(report, 'Requests (x86_64) · work').usage.toString()).toBe('60000');
    // (50,000 + 60,000 − 4,000 free) × $0.000025; the 60,000 Lambda requests and 750 GB-s are inside Lambda's free tier.
    expect(declared(report).total.toString()).toBe(D(50_000 + 60_000 - 4_000).mul(PER_TRANSITION).toString());
    expect(report.assumptions.join('\n')).toMatch(/Fan \(Distributed Map\): 4 child execution\(s\) per execution, their transitions \(1.5 each\), durations and calls measured from 2 of their own histories/);
  });

  it('keeps the static count and calls of children it found no Map Run for, and warns that they are estimated', async () => {
    // The parent entered Fan in both runs, but its histories name no Map Run (nothing to list the children by).
    const entered = history((add) => {
      add('ExecutionStarted');
      add('MapStateEntered', { stateEnteredEventDetails: { name: 'Fan' } });
      add('MapStateExited', { stateExitedEventDetails: { name: 'Fan' } });
      add('ExecutionSucceeded');
    });
    const report = await price(root, { fromExecutions: true, measure: async () => summarizeExecutions([entered, entered]) });
    // Static: mapItems Fan = 10 children. Parent: Fan (1, measured) + 10 = 11 a run, 110,000 a month.
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe('110000');
    // Children: 100,000 × Work = 1 transition each; Work's 100,000 calls are billed (they were dropped to 0).
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map)').usage.toString()).toBe('100000');
    expect(line(report, 'Requests (x86_64) · work').usage.toString()).toBe('100000');
    // (110,000 + 100,000 − 4,000) × $0.000025 = $5.15; 100,000 Lambda requests and 1,250 GB-s are inside Lambda's free tier.
    expect(declared(report).total.toString()).toBe(D(110_000 + 100_000 - 4_000).mul(PER_TRANSITION).toString());
    expect(report.warnings).toContain(
      'batch: Fan (Distributed Map): its STANDARD child executions were not measured (the measured histories name no Map Run for it): 10 per execution estimated from the definition; their transitions and calls are estimated from the definition, not measured',
    );
  });

  it('counts no children for a Distributed Map the measured runs never reached', async () => {
    const gated = {
      StartAt: 'Check',
      States: { Check: { Type: 'Choice', Choices: [{ Variable: '$.big', BooleanEquals: true, Next: 'Fan' }], Default: 'Skip' }, Skip: { Type: 'Pass', End: true }, Fan: definition.States.Fan },
    };
    const gatedRoot = project({ machines: { batch: { type: 'STANDARD', definition: gated } }, functions: { work: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10 } } });
    const skipped = history((add) => {
      add('ExecutionStarted');
      add('ChoiceStateEntered', { stateEnteredEventDetails: { name: 'Check' } });
      add('ChoiceStateExited', { stateExitedEventDetails: { name: 'Check' } });
      add('PassStateEntered', { stateEnteredEventDetails: { name: 'Skip' } });
      add('PassStateExited', { stateExitedEventDetails: { name: 'Skip' } });
      add('ExecutionSucceeded');
    });
    const report = await price(gatedRoot, { fromExecutions: true, measure: async () => summarizeExecutions([skipped]) });
    // Check + Skip = 2 a run, no children: (20,000 − 4,000) × $0.000025 = $0.40 (the static walk would add 5 children a run).
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe('20000');
    expect(declared(report).total.toString()).toBe(D(20_000 - 4_000).mul(PER_TRANSITION).toString());
    expect(report.warnings).toEqual([]);
    expect(report.assumptions).toContain('batch: Fan (Distributed Map): not reached in the 1 measured execution(s), so no child executions counted');
  });

  it("bills Express children it could count but not read at their listed durations, with the definition's calls, and warns", async () => {
    const express = { ...definition, States: { Fan: { ...definition.States.Fan, ItemProcessor: { ...definition.States.Fan.ItemProcessor, ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } } } } };
    const expressRoot = project({ machines: { batch: { type: 'STANDARD', definition: express } }, functions: { work: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10 } } });
    const measured = summarizeExecutions([parent(1)])!;
    // DescribeMapRun counted 4 children a run; the listing gave two of them 150 and 250 ms; no history is readable.
    measured.children = [{ state: 'Fan', kind: 'mapRun', perExecution: 4, unread: 'Express executions keep no history that GetExecutionHistory reads', listedDurations: [150, 250] }];
    const report = await price(expressRoot, { fromExecutions: true, measure: async () => measured });
    // Parent: Fan + 4 = 5 a run: (50,000 − 4,000) × $0.000025 = $1.15.
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe('50000');
    // 40,000 Express requests × $0.000001 = $0.04; billed 200 and 300 ms (each rounded up), 250 ms on average, at 64 MB:
    // 40,000 × 0.25 s × 0.0625 GB = 625 GB-s × $0.00001667 = $0.0104187500.
    expect(line(report, 'Requests (Express) · batch › Fan (Distributed Map)').usage.toString()).toBe('40000');
    expect(line(report, 'Duration (Express) · batch › Fan (Distributed Map)').usage.toString()).toBe('625');
    // Work, once a child by the definition: 40,000 requests (inside the free tier).
    expect(line(report, 'Requests (x86_64) · work').usage.toString()).toBe('40000');
    expect(declared(report).total.toString()).toBe(D(46_000).mul(PER_TRANSITION).add(D(40_000).mul(PER_EXPRESS_REQUEST)).add(D(625).mul(EXPRESS_GBS)).toString());
    expect(report.warnings).toContain(
      "batch: Fan (Distributed Map): its EXPRESS child executions were not measured (Express executions keep no history that GetExecutionHistory reads): counted 4 per execution from the Map Runs; durations from the Map Runs' listings of 2 of them; their calls are estimated from the definition, not measured",
    );
  });

  it("merges the children's recorded Bedrock tokens into the bill with the parent's", async () => {
    const haiku = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
    const ask = () => ({ Type: 'Task', Resource: 'arn:aws:states:::bedrock:invokeModel', Parameters: { ModelId: haiku, Body: { max_tokens: 50 } } });
    const asking = {
      StartAt: 'Ask',
      States: { Ask: { ...ask(), Next: 'Fan' }, Fan: { ...definition.States.Fan, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Tag', States: { Tag: { ...ask(), End: true } } } } },
    };
    const askingRoot = project({ machines: { batch: { type: 'STANDARD', definition: asking } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10 } } });
    const called = (state: string, input: number, output: number) => (add: (type: string, details?: Partial<HistoryEvent>) => void) => {
      add('TaskStateEntered', { stateEnteredEventDetails: { name: state } });
      add('TaskScheduled', { taskScheduledEventDetails: { resourceType: 'bedrock', resource: 'invokeModel', region: 'us-east-1', parameters: JSON.stringify({ ModelId: haiku }) } });
      add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'bedrock', resource: 'invokeModel', output: JSON.stringify({ Body: { usage: { input_tokens: input, output_tokens: output } } }) } });
      add('TaskStateExited', { stateExitedEventDetails: { name: state } });
    };
    const run = history((add) => {
      add('ExecutionStarted');
      called('Ask', 100, 10)(add);
      add('MapStateEntered', { stateEnteredEventDetails: { name: 'Fan' } });
      add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: mapRunArn(1) } });
      add('MapStateExited', { stateExitedEventDetails: { name: 'Fan' } });
      add('ExecutionSucceeded');
    });
    const tagged = history((add) => {
      add('ExecutionStarted');
      called('Tag', 500, 50)(add);
      add('ExecutionSucceeded');
    });
    const measured = summarizeExecutions([run])!;
    measured.children = [{ state: 'Fan', kind: 'mapRun', perExecution: 4, usage: summarizeExecutions([tagged])! }];
    const report = await price(askingRoot, { fromExecutions: true, measure: async () => measured });
    // 10,000 Ask calls at 100 in / 10 out, and 40,000 Tag calls (4 children a run) at 500 in / 50 out:
    // input (10,000 × 100 + 40,000 × 500) = 21,000,000 × $1/M = $21.00; output (10,000 × 10 + 40,000 × 50) = 2,100,000 × $5/M = $10.50.
    expect(line(report, `Input tokens · ${haiku}`).usage.toString()).toBe('21000000');
    expect(line(report, `Output tokens · ${haiku}`).usage.toString()).toBe('2100000');
    expect(sumOf(report, 'Bedrock').toString()).toBe(D(21_000_000).mul(HAIKU_45_GLOBAL.input).add(D(2_100_000).mul(HAIKU_45_GLOBAL.output)).toString());
    expect(report.assumptions).toContain(`Bedrock ${haiku}: 420 input tokens per call (measured runs) and 42 output tokens (measured runs)`);
  });

  it('warns that an Express machine it started was not measured, and bills its executions from its definition', async () => {
    const orders = { StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:notifyx`, Input: {} }, End: true } } };
    const notifyx = { StartAt: 'Send', States: { Send: { Type: 'Pass', Next: 'Close' }, Close: { Type: 'Pass', End: true } } };
    const startRoot = project({ machines: { orders: { type: 'STANDARD', definition: orders }, notifyx: { type: 'EXPRESS', definition: notifyx } }, cost: { executionsPerMonth: 10_000 } });
    const started = startedRun('Ship', 'startExecution', `arn:aws:states:us-east-1:${ACCOUNT}:express:notifyx:n1:0c8f`);
    const measured = summarizeExecutions([started])!;
    measured.children = [{ state: 'Ship', kind: 'execution', perExecution: 1, unread: 'Express executions keep no history that GetExecutionHistory reads', machine: 'notifyx', express: true }];
    const report = await price(startRoot, { subjects: ['orders'], fromExecutions: true, measure: async () => measured });
    // orders: Ship, 10,000 − 4,000 free = 6,000 × $0.000025 = $0.15. notifyx, 10,000 Express executions: $0.01 in requests, and its two
    // Pass states take 0 ms, billed as 100 ms at 64 MB: 10,000 × 0.1 s × 0.0625 GB = 62.5 GB-s × $0.00001667.
    expect(line(report, 'Requests (Express) · orders › Ship → notifyx').usage.toString()).toBe('10000');
    expect(line(report, 'Duration (Express) · orders › Ship → notifyx').usage.toString()).toBe('62.5');
    expect(declared(report).total.toString()).toBe(D(6_000).mul(PER_TRANSITION).add(D(10_000).mul(PER_EXPRESS_REQUEST)).add(D('62.5').mul(EXPRESS_GBS)).toString());
    expect(report.warnings).toContain(
      'orders: Ship → notifyx: its EXPRESS child executions were not measured (Express executions keep no history that GetExecutionHistory reads): counted 1 per execution from the measured start calls; their durations and calls are estimated from the definition, not measured',
    );
  });

  it('says when a measured child starts children deeper than it reads, and keeps their static count', async () => {
    const nested = {
      StartAt: 'Fan',
      States: { Fan: { ...definition.States.Fan, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Inner', States: { Inner: { ...definition.States.Fan, End: true } } } } },
    };
    const nestedRoot = project({ machines: { batch: { type: 'STANDARD', definition: nested } }, functions: { work: { memoryMB: 128, durationMs: 100 } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10, Inner: 10 } } });
    const childRun = history((add) => {
      add('ExecutionStarted');
      add('MapStateEntered', { stateEnteredEventDetails: { name: 'Inner' } });
      add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: mapRunArn(9) } });
      add('MapStateExited', { stateExitedEventDetails: { name: 'Inner' } });
      add('ExecutionSucceeded');
    });
    const childUsage = { ...summarizeExecutions([childRun])!, childrenUnread: 'deeper than the 3 generations of child executions --from-executions reads' };
    const measured = summarizeExecutions([parent(1)])!;
    measured.children = [{ state: 'Fan', kind: 'mapRun', perExecution: 2, usage: childUsage }];
    const report = await price(nestedRoot, { fromExecutions: true, measure: async () => measured });
    // Parent: Fan + 2 = 3 a run, 30,000. Each of the 20,000 children: Inner + 10 static grandchildren = 11, 220,000.
    // Grandchildren: 200,000 × Work = 200,000 transitions and 200,000 Work calls.
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe('30000');
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map)').usage.toString()).toBe('220000');
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map) › Inner (Distributed Map)').usage.toString()).toBe('200000');
    expect(line(report, 'Requests (x86_64) · work').usage.toString()).toBe('200000');
    // (30,000 + 220,000 + 200,000 − 4,000) × $0.000025 = $11.15; Lambda inside its free tier.
    expect(declared(report).total.toString()).toBe(D(446_000).mul(PER_TRANSITION).toString());
    expect(report.warnings).toContain(
      'batch: Fan (Distributed Map) › Inner (Distributed Map): its STANDARD child executions were not measured (deeper than the 3 generations of child executions --from-executions reads): 10 per execution estimated from the definition; their transitions and calls are estimated from the definition, not measured',
    );
  });

  it("measures a started machine's Map Runs for the run that started it without changing that machine's own bill", async () => {
    const orders = { StartAt: 'Ship', States: { Ship: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:packer`, Input: {} }, End: true } } };
    const sharedRoot = project({
      machines: { orders: { type: 'STANDARD', definition: orders }, packer: { type: 'STANDARD', definition } },
      functions: { work: { memoryMB: 128, durationMs: 100 } },
      cost: { stateMachines: { orders: { executionsPerMonth: 10_000 }, packer: { executionsPerMonth: 1_000, mapItems: { Fan: 10 } } } },
    });
    const ordered = startedRun('Ship', 'startExecution.sync:2', `arn:aws:states:us-east-1:${ACCOUNT}:execution:packer:p1`);
    const packed = { ...summarizeExecutions([parent(1)])!, children: [{ state: 'Fan', kind: 'mapRun' as const, perExecution: 2, usage: summarizeExecutions([child(1)])! }] };
    const measured = { ...summarizeExecutions([ordered])!, children: [{ state: 'Ship', kind: 'execution' as const, perExecution: 1, machine: 'packer', express: false, usage: packed }] };
    const report = await price(sharedRoot, { fromExecutions: true, measure: async (machine: string) => (machine === 'orders' ? measured : undefined) });
    // Started by orders, packer ran Fan with 2 children: 10,000 × (Fan + 2) = 30,000, its children 20,000 × Work = 20,000.
    expect(line(report, 'State transitions (Standard) · orders › Ship → packer').usage.toString()).toBe('30000');
    expect(line(report, 'State transitions (Standard) · orders › Ship → packer › Fan (Distributed Map)').usage.toString()).toBe('20000');
    // packer's own 1,000 executions a month, unmeasured, keep the static 10 children: 1,000 × (1 + 10) and 10,000 × Work.
    expect(line(report, 'State transitions (Standard) · packer').usage.toString()).toBe('11000');
    expect(line(report, 'State transitions (Standard) · packer › Fan (Distributed Map)').usage.toString()).toBe('10000');
    // orders' Ship: 10,000. (10,000 + 30,000 + 20,000 + 11,000 + 10,000 − 4,000) × $0.000025 = $1.925
    expect(declared(report).total.toString()).toBe(D(77_000).mul(PER_TRANSITION).toString());
  });

  it("measures a child's own started executions (grandchildren) and bills them as executions of their machine", async () => {
    const notify = { StartAt: 'Send', States: { Send: { Type: 'Pass', Next: 'Log' }, Log: { Type: 'Pass', Next: 'Close' }, Close: { Type: 'Pass', End: true } } };
    const starting = {
      StartAt: 'Fan',
      States: {
        Fan: {
          ...definition.States.Fan,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Notify',
            States: { Notify: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:notify`, Input: {} }, End: true } },
          },
        },
      },
    };
    const startingRoot = project({ machines: { batch: { type: 'STANDARD', definition: starting }, notify: { type: 'STANDARD', definition: notify } }, cost: { executionsPerMonth: 10_000, mapItems: { Fan: 10 } } });
    const childRun = startedRun('Notify', 'startExecution', `arn:aws:states:us-east-1:${ACCOUNT}:execution:notify:n1`);
    // The grandchild skipped Log: Send and Close, 2 transitions (notify's static walk says 3).
    const notified = history((add) => {
      add('ExecutionStarted');
      for (const name of ['Send', 'Close']) {
        add('PassStateEntered', { stateEnteredEventDetails: { name } });
        add('PassStateExited', { stateExitedEventDetails: { name } });
      }
      add('ExecutionSucceeded');
    });
    const childUsage = summarizeExecutions([childRun])!;
    childUsage.children = [{ state: 'Notify', kind: 'execution', perExecution: 1, machine: 'notify', express: false, usage: summarizeExecutions([notified])! }];
    const measured = summarizeExecutions([parent(1)])!;
    measured.children = [{ state: 'Fan', kind: 'mapRun', perExecution: 4, usage: childUsage }];
    const report = await price(startingRoot, { subjects: ['batch'], fromExecutions: true, measure: async () => measured });
    // Parent: Fan + 4 children = 5 a run, 50,000; children 40,000 × Notify = 40,000; grandchildren 40,000 × 2 = 80,000.
    expect(line(report, 'State transitions (Standard) · batch').usage.toString()).toBe('50000');
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map)').usage.toString()).toBe('40000');
    expect(line(report, 'State transitions (Standard) · batch › Fan (Distributed Map) › Notify → notify').usage.toString()).toBe('80000');
    expect(declared(report).items.filter((item) => item.item.endsWith('Notify → notify'))).toHaveLength(1);
    expect(declared(report).items.some((item) => item.item.startsWith('states:startExecution'))).toBe(false);
    // (50,000 + 40,000 + 80,000 − 4,000) × $0.000025 = $4.15
    expect(declared(report).total.toString()).toBe(D(166_000).mul(PER_TRANSITION).toString());
  });
});
