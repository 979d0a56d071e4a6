/** ListMapRuns, DescribeMapRun and UpdateMapRun: the Map Runs of Distributed Maps (map-runs.ts keeps them). */
import { ApiError, resourceNotFound, validationError } from '../api-error.js';
import { checkExecutionArn } from '../arn.js';
import type { EmulatorContext } from '../context.js';
import type { MapRunRow } from '../store.js';
import { compact, epoch, requireString, type Handler, type Input } from './common.js';

const MAP_RUN_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:mapRun:[^:]+:[^:]+$/;

function requireMapRun(context: EmulatorContext, input: Input): MapRunRow {
  const arn = requireString(input, 'mapRunArn');
  if (!MAP_RUN_ARN.test(arn)) throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  const run = context.store.getMapRun(arn);
  if (!run) throw resourceNotFound(`Resource not found: '${arn}'`, arn);
  return run;
}

/**
 * DescribeMapRun's counts from the children's statuses, of child executions
 * (`byStatus`) or of the items they hold (a batch counts its items); what has
 * not started yet is pending.
 */
function counts(run: MapRunRow, byStatus: Record<string, number>, total: number, written: number, pendingRedrive: number, failuresNotRedrivable: number) {
  const of = (status: string) => byStatus[status] ?? 0;
  const started = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  return {
    // Before its end a Map Run has items not started yet; once it ended (failed, aborted), those never start.
    pending: run.status === 'RUNNING' ? Math.max(0, total - started) : 0,
    running: of('RUNNING'),
    succeeded: of('SUCCEEDED'),
    failed: of('FAILED'),
    timedOut: of('TIMED_OUT'),
    aborted: of('ABORTED'),
    total: run.status === 'RUNNING' ? Math.max(total, started) : started,
    // "Written by ResultWriter" (API reference): results collected into the Map's output are not.
    resultsWritten: written,
    // Unsuccessful children RedriveExecution's rule refuses (past 24,999 events or their 14 days): a redrive leaves them failed.
    failuresNotRedrivable,
    // A redriven Map Run's unsuccessful children not restarted yet (MaxConcurrency holds them back); 0 once it ended.
    pendingRedrive,
  };
}

const describeMapRun: Handler = (context, input) => {
  const run = requireMapRun(context, input);
  const pending = context.mapRuns.pendingRedrive(run.arn);
  const stuck = context.mapRuns.failuresNotRedrivable(run.arn);
  const executionCounts = counts(run, context.store.mapRunChildCounts(run), run.itemCount, run.resultsWritten ?? 0, pending.executions, stuck.executions);
  const byItem = context.store.mapRunItemCounts(run);
  // A Map Run stored before children were recorded by item counts one item per child.
  const itemCounts = Object.keys(byItem).length > 0 || run.items !== null ? counts(run, byItem, run.items ?? run.itemCount, run.itemResultsWritten ?? 0, pending.items, stuck.items) : executionCounts;
  return compact({
    mapRunArn: run.arn,
    executionArn: run.executionArn,
    status: run.status,
    startDate: epoch(run.started),
    stopDate: epoch(run.stopped),
    maxConcurrency: run.maxConcurrency,
    toleratedFailurePercentage: run.toleratedFailurePercentage,
    toleratedFailureCount: run.toleratedFailureCount,
    itemCounts,
    executionCounts,
    redriveCount: run.redriveCount,
    redriveDate: epoch(run.redriveDate),
  });
};

const listMapRuns: Handler = (context, input) => {
  const executionArn = checkExecutionArn(requireString(input, 'executionArn'));
  if (!context.store.getExecution(executionArn)) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  const scope = `ListMapRuns|${executionArn}`;
  const request = context.pager.request(input, scope);
  const after = request.after && request.after.length === 2 && typeof request.after[0] === 'number' ? ([request.after[0], String(request.after[1])] as const) : undefined;
  const rows = context.store.listMapRunsPage(executionArn, after, request.size + 1);
  const { page, nextToken } = context.pager.result(rows, request, scope, (run) => [run.started, run.arn]);
  return compact({
    mapRuns: page.map((run) => compact({ executionArn: run.executionArn, mapRunArn: run.arn, stateMachineArn: run.childMachineArn, startDate: epoch(run.started), stopDate: epoch(run.stopped) })),
    nextToken,
  });
};

/** A setting of UpdateMapRun: absent keeps the current value; out of the model's range is its ValidationException. */
function setting(input: Input, field: string, current: number, range: { min: number; max?: number; integer: boolean }): number {
  const value = input[field];
  if (value === undefined || value === null) return current;
  if (typeof value !== 'number' || (range.integer && !Number.isInteger(value))) throw new ApiError('SerializationException', `Unexpected value type for ${field}: expected a number`);
  if (value < range.min) throw validationError(field, `Member must have value greater than or equal to ${range.min}`, String(value));
  if (range.max !== undefined && value > range.max) throw validationError(field, `Member must have value less than or equal to ${range.max}`, String(value));
  return value;
}

const updateMapRun: Handler = (context, input) => {
  const run = requireMapRun(context, input);
  if (input.maxConcurrency === undefined && input.toleratedFailureCount === undefined && input.toleratedFailurePercentage === undefined) {
    throw new ApiError('ValidationException', 'At least one of the parameters maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be specified');
  }
  context.mapRuns.update(run.arn, {
    maxConcurrency: setting(input, 'maxConcurrency', run.maxConcurrency, { min: 0, integer: true }),
    toleratedFailureCount: setting(input, 'toleratedFailureCount', run.toleratedFailureCount, { min: 0, integer: true }),
    toleratedFailurePercentage: setting(input, 'toleratedFailurePercentage', run.toleratedFailurePercentage, { min: 0, max: 100, integer: false }),
  });
  return {};
};

export const mapRunActions: Record<string, Handler> = {
  DescribeMapRun: describeMapRun,
  ListMapRuns: listMapRuns,
  UpdateMapRun: updateMapRun,
};
