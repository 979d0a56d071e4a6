/**
 * A Distributed Map's ResultWriter, as AWS documents it ("ResultWriter (Map)"):
 * the Map Run's child results are exported under `<Prefix>/<map run id>/` as
 * manifest.json plus one file per status, written locally to
 * `<project>/<Bucket>/<Key>`; the Map's output is then `{ MapRunArn,
 * ResultWriterDetails }` and DescribeMapRun counts the results written.
 */
import { readFileSync, existsSync, symlinkSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, ROLE, testEmulator, type TestEmulator } from '../helpers/emulator.js';

let t: TestEmulator;
beforeAll(async () => {
  t = await testEmulator();
});
afterAll(() => t.close());

/** Invoices totalled one per child; an invoice without lines fails its child. */
function invoiceMachine(writer: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'TotalInvoices',
    States: {
      TotalInvoices: {
        Type: 'Map',
        Label: 'Totals',
        ItemsPath: '$.invoices',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'HasLines',
          States: {
            HasLines: { Type: 'Choice', Choices: [{ Variable: '$.lines[0]', IsPresent: true, Next: 'Total' }], Default: 'Empty' },
            Total: { Type: 'Pass', Parameters: { 'invoice.$': '$.id', 'lines.$': '$.lines' }, OutputPath: '$.lines', End: true },
            Empty: { Type: 'Fail', Error: 'Invoice.Empty', Cause: 'no lines' },
          },
        },
        ResultWriter: writer,
        ...extra,
        End: true,
      },
    },
  };
}

async function run(name: string, definition: unknown, input: unknown) {
  const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }));
  const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  const done = await finished(t.sfn, executionArn!);
  const events = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
  const mapRunArn = events.find((event) => event.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn!;
  return { done, executionArn: executionArn!, mapRunArn, events };
}

const read = (relative: string): unknown => JSON.parse(readFileSync(path.join(t.dir, relative), 'utf8'));

describe('ResultWriter', () => {
  it('exports the children to manifest.json and SUCCEEDED_0.json / FAILED_0.json, and returns where', async () => {
    const writer = { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'billing-results', Prefix: 'totals' } };
    const input = { invoices: [{ id: 'i1', lines: [10, 20] }, { id: 'i2', lines: [] }, { id: 'i3', lines: [5] }] };
    const { done, mapRunArn } = await run('invoices', invoiceMachine(writer, { ToleratedFailureCount: 1 }), input);
    expect(done.status).toBe('SUCCEEDED');
    const id = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
    // The Map's output is the documented one, not the results.
    expect(JSON.parse(done.output!)).toEqual({ MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: 'billing-results', Key: `totals/${id}/manifest.json` } });

    const manifest = read(`billing-results/totals/${id}/manifest.json`) as { ResultFiles: Record<string, { Key: string; Size: number }[]> };
    const succeededKey = `totals/${id}/SUCCEEDED_0.json`;
    const failedKey = `totals/${id}/FAILED_0.json`;
    expect(manifest).toEqual({
      DestinationBucket: 'billing-results',
      MapRunArn: mapRunArn,
      ResultFiles: { FAILED: [{ Key: failedKey, Size: expect.any(Number) }], PENDING: [], SUCCEEDED: [{ Key: succeededKey, Size: expect.any(Number) }] },
    });
    expect(manifest.ResultFiles.SUCCEEDED[0].Size).toBe(readFileSync(path.join(t.dir, 'billing-results', succeededKey)).length);
    expect(existsSync(path.join(t.dir, 'billing-results', `totals/${id}/PENDING_0.json`))).toBe(false);

    const children = (await t.sfn.send(new ListExecutionsCommand({ mapRunArn }))).executions!;
    const succeeded = read(`billing-results/${succeededKey}`) as Record<string, unknown>[];
    // Transformation NONE (the default when exporting): each child with AWS's workflow metadata, in AWS's field order.
    expect(succeeded).toHaveLength(2);
    expect(Object.keys(succeeded[0])).toEqual([
      'ExecutionArn', 'Input', 'InputDetails', 'Name', 'Output', 'OutputDetails', 'RedriveCount', 'RedriveStatus', 'RedriveStatusReason', 'StartDate', 'StateMachineArn', 'Status', 'StopDate',
    ]);
    expect(succeeded.map((entry) => JSON.parse(entry.Output as string))).toEqual([[10, 20], [5]]);
    expect(succeeded[0]).toMatchObject({
      Input: JSON.stringify({ id: 'i1', lines: [10, 20] }),
      InputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:invoices/Totals',
      Status: 'SUCCEEDED',
      StartDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(children.map((child) => child.executionArn)).toContain(succeeded[0].ExecutionArn);

    const failed = read(`billing-results/${failedKey}`) as Record<string, unknown>[];
    expect(failed).toEqual([
      {
        Cause: 'no lines',
        Error: 'Invoice.Empty',
        ExecutionArn: expect.stringContaining(':execution:invoices/Totals:'),
        Input: JSON.stringify({ id: 'i2', lines: [] }),
        InputDetails: { Included: true },
        Name: expect.any(String),
        OutputDetails: { Included: true },
        RedriveCount: 0,
        RedriveStatus: 'REDRIVABLE_BY_MAP_RUN',
        StartDate: expect.any(String),
        StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:invoices/Totals',
        Status: 'FAILED',
        StopDate: expect.any(String),
      },
    ]);

    const described = await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(described.executionCounts).toMatchObject({ succeeded: 2, failed: 1, total: 3, resultsWritten: 3 });
    expect(described.itemCounts).toMatchObject({ resultsWritten: 3 });
  });

  it('formats with WriterConfig: FLATTEN as JSON Lines when exporting, COMPACT and FLATTEN as the Map output in preview', async () => {
    const input = { invoices: [{ id: 'i1', lines: [10, 20] }, { id: 'i3', lines: [5] }] };
    const exported = await run('invoices-flat', invoiceMachine({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'billing-results' }, WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSONL' } }), input);
    const id = exported.mapRunArn.slice(exported.mapRunArn.lastIndexOf(':') + 1);
    // No Prefix: the Map Run's folder is at the bucket's top.
    expect(JSON.parse(exported.done.output!).ResultWriterDetails).toEqual({ Bucket: 'billing-results', Key: `${id}/manifest.json` });
    expect(readFileSync(path.join(t.dir, 'billing-results', id, 'SUCCEEDED_0.json'), 'utf8')).toBe('10\n20\n5\n');

    const flat = await run('invoices-preview', invoiceMachine({ WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSON' } }), input);
    expect(JSON.parse(flat.done.output!)).toEqual([10, 20, 5]);
    const compact = await run('invoices-compact', invoiceMachine({ WriterConfig: { Transformation: 'COMPACT', OutputType: 'JSON' } }), input);
    expect(JSON.parse(compact.done.output!)).toEqual([[10, 20], [5]]);
  });

  it('exports a failed Map Run too, its unstarted items PENDING, and the Map still fails as the threshold says', async () => {
    const writer = { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'billing-results', Prefix: 'failed-run' } };
    const input = { invoices: [{ id: 'i1', lines: [] }, { id: 'i2', lines: [1] }, { id: 'i3', lines: [2] }] };
    const { done, mapRunArn } = await run('invoices-fail', invoiceMachine(writer, { MaxConcurrency: 1 }), input);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    const id = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
    const manifest = read(`billing-results/failed-run/${id}/manifest.json`) as { ResultFiles: Record<string, unknown[]> };
    expect(manifest.ResultFiles.SUCCEEDED).toEqual([]);
    expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    expect(manifest.ResultFiles.PENDING).toHaveLength(1);
    const pending = read(`billing-results/failed-run/${id}/PENDING_0.json`) as { Input: string }[];
    expect(pending.map((entry) => JSON.parse(entry.Input).id)).toEqual(['i2', 'i3']);
  });

  it('writes a failed child its Map Run cannot redrive as NOT_REDRIVABLE, with the reason, by the rule RedriveExecution follows', { timeout: 60_000 }, async () => {
    const activityArn = (await t.sfn.send(new CreateActivityCommand({ name: 'invoice-printer' }))).activityArn!;
    const printing = {
      StartAt: 'Print',
      States: {
        Print: {
          Type: 'Map',
          Label: 'Printing',
          ItemsPath: '$.invoices',
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Printer', States: { Printer: { Type: 'Task', Resource: activityArn, End: true } } },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'billing-results', Prefix: 'printing' } },
          End: true,
        },
      },
    };
    const { stateMachineArn } = await t.sfn.send(new CreateStateMachineCommand({ name: 'invoices-deleted', definition: JSON.stringify(printing), roleArn: ROLE }));
    const { executionArn } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ invoices: [{ id: 'i1' }] }) }));
    const task = await t.sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'printer' }));
    // The machine is deleted while its execution runs (AWS: DELETING until its executions end), then the child fails.
    await t.sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    await t.sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Printer.Jammed', cause: 'paper jam' }));
    expect(await finished(t.sfn, executionArn!)).toMatchObject({ status: 'FAILED', redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'State machine is in DELETING status' });

    const events = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
    const mapRunArn = events.find((event) => event.type === 'MapRunStarted')!.mapRunStartedEventDetails!.mapRunArn!;
    const id = mapRunArn.slice(mapRunArn.lastIndexOf(':') + 1);
    const failed = read(`billing-results/printing/${id}/FAILED_0.json`) as Record<string, unknown>[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ Error: 'Printer.Jammed', Status: 'FAILED', RedriveStatus: 'NOT_REDRIVABLE', RedriveStatusReason: 'State machine is in DELETING status' });
    expect(Object.keys(failed[0]).slice(-6)).toEqual(['RedriveStatus', 'RedriveStatusReason', 'StartDate', 'StateMachineArn', 'Status', 'StopDate']);
    // The same rule everywhere: the child is described so, counted among failuresNotRedrivable, and its parent is refused.
    expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn: failed[0].ExecutionArn as string }))).toMatchObject({ redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'State machine is in DELETING status' });
    expect((await t.sfn.send(new DescribeMapRunCommand({ mapRunArn }))).executionCounts).toMatchObject({ failed: 1, failuresNotRedrivable: 1 });
    await expect(t.sfn.send(new RedriveExecutionCommand({ executionArn }))).rejects.toMatchObject({
      name: 'ExecutionNotRedrivable',
      message: "Execution is not redrivable: 'State machine is in DELETING status'",
    });
  });

  it('fails the Map with States.ResultWriterFailed when the bucket would leave the project', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'deliv-outside-'));
    symlinkSync(outside, path.join(t.dir, 'escape'));
    const writer = { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'escape', Prefix: 'x' } };
    const { done, events } = await run('invoices-escape', invoiceMachine(writer), { invoices: [{ id: 'i1', lines: [1] }] });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ResultWriterFailed' });
    expect(done.cause).toContain('project folder only');
    expect(events.map((event) => event.type)).toContain('MapRunFailed');
  });
});
