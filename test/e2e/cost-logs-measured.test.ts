/**
 * `deliv cost --from-executions` weighs a logging Express machine's
 * CloudWatch Logs from the events its runs logged on the emulator (the same
 * format as AWS), and the static estimate of the same path comes out near it.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

let workspace: ReturnType<typeof tempDir>;
let project: string;
const deliv = (args: string[]) => runCli(args, { cwd: project, timeoutMs: 90_000 });

beforeAll(async () => {
  workspace = tempDir('deliv-cost-logs-measured-');
  project = path.join(workspace.dir, 'shop');
  const init = await runCli(['init', project, '--yes', '--template', 'parcel-routing'], { cwd: workspace.dir });
  expect(init.exitCode, init.stderr).toBe(0);
  // The machine declares its logging itself, so it is priced on the local target too (level ALL, with execution data).
  const yaml = readFileSync(path.join(project, 'deliv.yaml'), 'utf8');
  writeFileSync(path.join(project, 'deliv.yaml'), yaml.replace('    type: EXPRESS\n', '    type: EXPRESS\n    logging: { level: ALL, includeExecutionData: true, retentionInDays: 30 }\n'));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  const started = await deliv(['local', 'start', '--port', '0', '--detach', '--time-scale', '0']);
  expect(started.exitCode, started.stderr).toBe(0);
  const deployed = await deliv(['deploy']);
  expect(deployed.exitCode, deployed.stderr).toBe(0);
}, 120_000); // init, emulator start and deploy in sequence on a loaded machine

afterAll(async () => {
  if (project) await deliv(['local', 'stop']);
  workspace?.cleanup();
});

interface Item {
  service: string;
  item: string;
  usage: string;
  cost: string | null;
}

describe('CloudWatch Logs measured from local Express runs', () => {
  it('weighs the logged events of the runs, and the static estimate of the same path is near it', async () => {
    for (let run = 0; run < 2; run++) {
      const result = await deliv(['start', 'parcel-routing', '--input', 'events/parcel-routing/parcels-ok.json']);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    }
    const measured = await deliv(['cost', 'parcel-routing', '--from-executions', '--offline', '--executions', '1000000', '--json']);
    expect(measured.exitCode, measured.stderr).toBe(0);
    const report = JSON.parse(measured.stdout);
    const logs = (assumptions: string[]) => assumptions.find((text) => text.startsWith('parcel-routing: logs to '))!;
    const measuredText = logs(report.assumptions);
    expect(measuredText).toMatch(/at level ALL \(every event\), with execution data: [\d.,]+ log events, [\d,]+ bytes per execution \(measured: the events of 2 recent execution\(s\) as this logging writes them\); stored gzip-compressed, [\d,]+ bytes, kept 30 days/);
    const bytesOf = (text: string) => Number(/, ([\d,]+) bytes per execution/.exec(text)![1].replace(/,/g, ''));
    const eventsOf = (text: string) => Number(/: ([\d.,]+) log events/.exec(text)![1].replace(/,/g, ''));
    const ingestion = (items: Item[]) => items.find((item) => item.item === 'Ingestion (vended logs) · parcel-routing')!;
    // 1,000,000 executions × the measured bytes, in GB of 2^30 bytes.
    expect(Number(ingestion(report.estimate.scenarios[0].items).usage)).toBeCloseTo((1_000_000 * bytesOf(measuredText)) / 2 ** 30, 6);

    // parcels-ok routes 4 parcels: the same path told to the static model.
    writeFileSync(path.join(project, 'usage.yaml'), 'stateMachines:\n  parcel-routing: { choices: { CheckParcels: { RouteParcels: 1 } }, mapItems: { RouteParcels: 4 } }\n');
    const estimated = await deliv(['cost', 'parcel-routing', '--usage', 'usage.yaml', '--offline', '--executions', '1000000', '--json']);
    expect(estimated.exitCode, estimated.stderr).toBe(0);
    const estimatedText = logs(JSON.parse(estimated.stdout).assumptions);
    expect(estimatedText).toContain("estimated from the definition's expected path");
    // The same 38 events one by one; the sizes differ only as the states' real inputs and outputs differ from the sample event
    // (measured 20,925 bytes, estimated 19,853 when this was written).
    expect(eventsOf(estimatedText)).toBe(eventsOf(measuredText));
    expect(bytesOf(estimatedText) / bytesOf(measuredText)).toBeGreaterThan(0.8);
    expect(bytesOf(estimatedText) / bytesOf(measuredText)).toBeLessThan(1.25);
  }, 180_000); // five CLI processes in sequence on a loaded machine
});
