/**
 * `deliv cost --from-executions` on the embedded emulator: transitions and
 * Lambda calls measured from the histories of real local runs agree with the
 * static estimate of the same path, for the templates where both apply
 * (Standard machines: Express executions keep no history).
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

let workspace: ReturnType<typeof tempDir>;
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project, timeoutMs: 90_000 });
const TEMPLATES = ['parcel-routing', 'order-fulfillment', 'courier-dispatch', 'support-triage'];

beforeAll(async () => {
  workspace = tempDir('deliv-cost-measured-');
  project = path.join(workspace.dir, 'shop');
  const init = await runCli(['init', project, '--yes', '--type', 'STANDARD', ...TEMPLATES.flatMap((template) => ['--template', template])], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The handlers import @aws-sdk/client-sfn: `npm install` in a real project; deliv's own copy here, offline.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

describe('cost measured from local executions', () => {
  it('agrees with the static estimate of the same paths', async () => {
    const runs: Array<[string, string]> = [
      ['parcel-routing', 'parcels-ok.json'],
      ['parcel-routing', 'parcels-ok.json'],
      ['order-fulfillment', 'order-ok.json'],
      ['courier-dispatch', 'dispatch-ok.json'],
      ['support-triage', 'complaint-damaged.json'],
    ];
    for (const [machine, event] of runs) {
      const result = await deliv(['start', machine, '--input', `events/${machine}/${event}`, '--wait']);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    }
    // The same paths, told to the static model:
    // parcels-ok has 4 parcels; order-ok is in stock; in dispatch-ok the first two couriers decline, the third accepts;
    // the mocked model classifies complaint-damaged as DAMAGED.
    writeFileSync(
      path.join(project, 'usage.yaml'),
      [
        // The DAMAGED mock records 52 input and 3 output tokens; --from-executions reads them from the history.
        'bedrock: { inputTokens: 52, outputTokens: 3 }',
        'stateMachines:',
        '  parcel-routing: { choices: { CheckParcels: { RouteParcels: 1 } }, mapItems: { RouteParcels: 4 } }',
        '  order-fulfillment: { choices: { IsInStock: { ChargeAndReserve: 1 } } }',
        '  courier-dispatch: { choices: { AnyCourierLeft: { OfferJob: 1 } }, failureRates: { OfferJob: { rate: 0.6666666666666666, error: CourierDeclined } } }',
        '  support-triage: { choices: { CheckComplaint: { ClassifyComplaint: 1 }, RouteComplaint: { OpenRefundCase: 1 } } }',
        '',
      ].join('\n'),
    );
    const common = ['--offline', '--type', 'standard', '--json', '--executions', '1000000'];
    const measured = await deliv(['cost', '--from-executions', ...common]);
    expect(measured.exitCode, measured.stderr).toBe(0);
    const fromHistories = JSON.parse(measured.stdout);
    const statically = JSON.parse((await deliv(['cost', '--usage', 'usage.yaml', ...common])).stdout);
    expect(fromHistories.warnings).toEqual([]);

    const byName = (report: { machines: Array<{ name: string }> }) => Object.fromEntries(report.machines.map((machine) => [machine.name, machine])) as Record<string, any>;
    const measuredMachines = byName(fromHistories);
    const staticMachines = byName(statically);
    // parcel-routing: CheckParcels, RouteParcels, 4 × ComputeRoute, Summarise.
    // order-fulfillment: ValidateOrder, CheckStock, IsInStock, ChargeAndReserve, ChargePayment, ReserveStock, AssignCourier, WaitForPickup, NotifyCustomer.
    // courier-dispatch: PrepareOffers, 3 × (AnyCourierLeft, OfferJob), 2 × NextCourier, Dispatched.
    // support-triage: CheckComplaint, ClassifyComplaint, RouteComplaint, OpenRefundCase, Resolved.
    const expected = { 'parcel-routing': 7, 'order-fulfillment': 9, 'courier-dispatch': 10, 'support-triage': 5 } as Record<string, number>;
    for (const machine of TEMPLATES) {
      expect(measuredMachines[machine]).toMatchObject({ transitionsSource: 'measured' });
      expect(measuredMachines[machine].transitionsPerExecution.expected).toBe(expected[machine]);
      expect(staticMachines[machine].transitionsPerExecution.expected).toBeCloseTo(expected[machine], 9);
      const lambdaCalls = (report: any) => report.calls.filter((call: { kind: string }) => call.kind === 'lambda').reduce((sum: number, call: { perExecution: number }) => sum + call.perExecution, 0);
      expect(lambdaCalls(measuredMachines[machine])).toBeCloseTo(lambdaCalls(staticMachines[machine]), 9);
    }
    expect(measuredMachines['parcel-routing'].measuredExecutions).toBe(2);
    expect(fromHistories.estimate.scenarios[0].total).toBe(statically.estimate.scenarios[0].total);
    expect(fromHistories.assumptions.join('\n')).toMatch(/Bedrock global\.anthropic\.claude-haiku-4-5-20251001-v1:0: 52 input tokens per call \(measured runs\) and 3 output tokens \(measured runs\)/);
  }, 180_000);
});
