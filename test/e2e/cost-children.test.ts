/**
 * `deliv cost --from-executions` reading child executions on the embedded
 * emulator, as a user runs it: a project whose parent starts a Distributed Map
 * of Standard children (Map Run listed, each child's history read), a
 * Distributed Map of Express children (counted by DescribeMapRun; an Express
 * execution has no GetExecutionHistory, so their calls are estimated and the
 * report says so), and a startExecution.sync child that itself starts a
 * grandchild. Every figure below is worked out by hand from the bundled
 * snapshot's us-east-1 unit prices.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

let workspace: ReturnType<typeof tempDir>;
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project, timeoutMs: 90_000 });
const ARN = 'arn:aws:states:us-east-1:123456789012';
const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

const fanout = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Map',
      ItemsPath: '$.orders',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Work',
        States: { Work: { Type: 'Task', Resource: fn('work'), Next: 'Done' }, Done: { Type: 'Pass', End: true } },
      },
      ResultPath: null,
      Next: 'Ping',
    },
    Ping: {
      Type: 'Map',
      ItemsPath: '$.pings',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Stamp', States: { Stamp: { Type: 'Task', Resource: fn('stamp'), End: true } } },
      ResultPath: null,
      Next: 'Ship',
    },
    Ship: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: `${ARN}:stateMachine:ship`, Input: { 'order.$': '$.orders[0]' } },
      End: true,
    },
  },
};
const MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const ship = {
  StartAt: 'Classify',
  States: {
    Classify: {
      Type: 'Task',
      Resource: 'arn:aws:states:::bedrock:invokeModel',
      Parameters: { ModelId: MODEL, Body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'Which depot?' }] } },
      ResultPath: null,
      Next: 'Label',
    },
    Label: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: `${ARN}:stateMachine:label`, Input: {} }, End: true },
  },
};
const label = { StartAt: 'Print', States: { Print: { Type: 'Pass', Next: 'Stick' }, Stick: { Type: 'Pass', End: true } } };

function write(file: string, content: string | object): void {
  mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  writeFileSync(path.join(project, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

beforeAll(async () => {
  workspace = tempDir('deliv-cost-children-');
  project = path.join(workspace.dir, 'fan');
  write(
    'deliv.yaml',
    [
      'name: fan',
      'defaultTarget: local',
      'stateMachines:',
      '  fanout: { definition: statemachines/fanout.asl.json, type: STANDARD }',
      '  ship: { definition: statemachines/ship.asl.json, type: STANDARD }',
      '  label: { definition: statemachines/label.asl.json, type: STANDARD }',
      'functions:',
      '  work: { handler: functions/work.mjs, memoryMB: 128, durationMs: 100 }',
      '  stamp: { handler: functions/stamp.mjs, memoryMB: 128, durationMs: 100 }',
      'mocks: mocks/MockConfigFile.json',
      'targets:',
      '  local: { kind: local }',
      'cost: { executionsPerMonth: 10000 }',
      '',
    ].join('\n'),
  );
  write('statemachines/fanout.asl.json', fanout);
  write('statemachines/ship.asl.json', ship);
  write('statemachines/label.asl.json', label);
  write('functions/work.mjs', 'export const handler = async (event) => ({ done: event });\n');
  write('functions/stamp.mjs', 'export const handler = async (event) => ({ stamped: event });\n');
  // The model's answer records its usage, as Bedrock's does: 120 input and 30 output tokens.
  const answer = { Body: { content: [{ type: 'text', text: 'north' }], usage: { input_tokens: 120, output_tokens: 30 } }, ContentType: 'application/json' };
  write('mocks/MockConfigFile.json', { StateMachines: { ship: { TestCases: { Default: { Classify: 'Routed' } } } }, MockedResponses: { Routed: { '0': { Return: answer } } } });
  write('events/three.json', { orders: [{ id: 1 }, { id: 2 }, { id: 3 }], pings: [1, 2] });
  write('events/five.json', { orders: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }], pings: [1, 2, 3, 4] });
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
  for (const event of ['three', 'five']) {
    const run = await deliv(['start', 'fanout', '--input', `events/${event}.json`, '--wait']);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

describe('cost --from-executions with child executions run in the emulator', () => {
  it('bills the children, the grandchild and their tokens as measured, and says what it estimated', async () => {
    const result = await deliv(['cost', 'fanout', '--from-executions', '--offline', '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const items = Object.fromEntries(report.estimate.scenarios[0].items.map((item: { item: string; usage: string }) => [item.item, item.usage])) as Record<string, string>;
    // Two runs: Map Runs of 3 and 5 Standard children (4 a run), 2 and 4 Express children (3 a run), one ship each.
    // Parent: Fan, Ping, Ship entered (3) + one transition per Map child (4 + 3) = 10; 10,000 × 10.
    expect(items['State transitions (Standard) · fanout']).toBe('100000');
    // Fan's children: 10,000 × 4 = 40,000, each Work + Done = 2 transitions (read from 8 of their histories).
    expect(items['State transitions (Standard) · fanout › Fan (Distributed Map)']).toBe('80000');
    expect(items['Requests (x86_64) · work']).toBe('40000');
    // ship: Classify + Label = 2 transitions, 10,000 a month; its own child label (the grandchild): Print + Stick = 2.
    expect(items['State transitions (Standard) · fanout › Ship → ship']).toBe('20000');
    expect(items['State transitions (Standard) · fanout › Ship → ship › Label → label']).toBe('20000');
    // Ping's Express children, counted by DescribeMapRun: 10,000 × 3 = 30,000 requests; their Stamp calls, estimated
    // from the definition (once per child), are billed too: 30,000 Lambda requests.
    expect(items['Requests (Express) · fanout › Ping (Distributed Map)']).toBe('30000');
    expect(items['Requests (x86_64) · stamp']).toBe('30000');
    // Each Express child: its Stamp Lambda's 100 ms, billed 100 ms at 64 MB: 30,000 × 0.1 s × 0.0625 GB = 187.5 GB-s.
    expect(items['Duration (Express) · fanout › Ping (Distributed Map)']).toBe('187.5');
    // The tokens ship's history recorded: 10,000 calls × 120 in and × 30 out (not the 1,000/300 default).
    expect(items[`Input tokens · ${MODEL}`]).toBe('1200000');
    expect(items[`Output tokens · ${MODEL}`]).toBe('300000');
    expect(Object.keys(items).some((item) => item.startsWith('states:startExecution'))).toBe(false);
    // Standard: (100,000 + 80,000 + 20,000 + 20,000 − 4,000 free) × $0.000025 = $5.40
    // Express:  30,000 × $0.000001 = $0.03, and 187.5 GB-s × $0.00001667 = $0.003125625
    // Lambda:   70,000 requests and 875 GB-s, inside the free tier: $0
    // Bedrock:  1,200,000 × $1/M = $1.20 and 300,000 × $5/M = $1.50
    // Total: 5.40 + 0.03 + 0.003125625 + 1.20 + 1.50
    expect(report.estimate.scenarios[0].total).toBe('8.133125625');
    expect(report.warnings).toEqual([
      'fanout: Ping (Distributed Map): its EXPRESS child executions were not measured (Express executions keep no history that GetExecutionHistory reads): counted 3 per execution from the Map Runs; their durations and calls are estimated from the definition, not measured',
    ]);
    expect(report.assumptions.join('\n')).toContain('Ship → ship › Label → label: 1 child execution(s) per execution, their transitions (2 each), durations and calls measured from 2 of their own histories');

    const text = await deliv(['cost', 'fanout', '--from-executions', '--offline']);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout.replace(/\s+/g, ' ')).toContain('Ping (Distributed Map): its EXPRESS child executions were not measured (Express executions keep no history');
    expect(text.stdout).toMatch(/Total\s+\$8\.13/);
  }, 120_000);
});
