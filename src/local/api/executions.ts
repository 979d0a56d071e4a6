/** Executions: start (async and sync), stop, describe, list, history, redrive. */
import path from 'node:path';
import type { JsonValue } from '../../asl/types.js';
import { isExpressExecutionArn } from '../../aws/arn.js';
import type { HistoryEvent } from '../../engine/types.js';
import { isWithin } from '../../project/confine.js';
import { FileProblemError } from '../../ui/errors.js';
import { closest } from '../../ui/suggest.js';
import { ApiError, notFoundExecution, resourceNotFound } from '../api-error.js';
import { checkExecutionArn, checkName, executionArn as buildExecutionArn, parseMachineArn } from '../arn.js';
import type { EmulatorContext } from '../context.js';
import { redriveStored, storedRedriveRefusal, storedRedriveStatus } from '../redrive.js';
import type { ExecutionFilter, ExecutionRow, MachineRow } from '../store.js';
import { checkPayloadSize, compact, epoch, optionalString, pageKeyOf, requireString, type Handler, type Input } from './common.js';
import { getMachine, resolveMachine } from './machines.js';

function parseInput(text: string): JsonValue {
  checkPayloadSize('input', text);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
}

/**
 * The Standard-only APIs (DescribeExecution, StopExecution, GetExecutionHistory,
 * DescribeStateMachineForExecution, RedriveExecution) refuse an Express execution's ARN
 * with this, as AWS does (recorded answer); its events are in its machine's log group.
 */
const expressRefused = () => new ApiError('InvalidArn', "Invalid Arn: 'Resource type not valid in this context: express'");

function getExecution(context: EmulatorContext, arn: string, options: { mapRunChild?: boolean } = {}): ExecutionRow {
  checkExecutionArn(arn);
  if (isExpressExecutionArn(arn)) {
    // AWS: "Executions of an EXPRESS state machine aren't supported by DescribeExecution unless a Map Run dispatched them."
    const row = options.mapRunChild ? context.store.getExecution(arn) : undefined;
    if (!row || mapRunOf(row) === undefined) throw expressRefused();
    return row;
  }
  const row = context.store.getExecution(arn);
  if (!row) throw notFoundExecution(arn);
  return row;
}

/** A file inside the project as the user wrote it in deliv.yaml (`mocks/MockConfigFile.json`); one outside stays absolute. */
function projectRelative(root: string, file: string): string {
  return isWithin(root, file) ? path.relative(root, file).split(path.sep).join('/') || file : file;
}

/** Whether the MockConfigFile defines the test case; a broken file is the caller's to fix (its file:line), not a 500. */
function knownTestCase(context: EmulatorContext, machine: string, testCase: string): boolean {
  try {
    return context.mocks.hasTestCase(machine, testCase);
  } catch (error) {
    if (error instanceof FileProblemError) throw new ApiError('ValidationException', error.withHint);
    throw error;
  }
}

/** StartExecution's core, shared with nested `states:startExecution` tasks. */
export function startExecution(
  context: EmulatorContext,
  request: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string; parentArn?: string },
): { row: ExecutionRow; existing: boolean } {
  const target = resolveMachine(context, request.stateMachineArn);
  const name = checkName(request.name ?? crypto.randomUUID());
  const inputText = request.input ?? '{}';
  parseInput(inputText);
  const testCase = target.ref.testCase;
  if (testCase && !knownTestCase(context, target.machine.name, testCase)) {
    const known = context.mocks.testCaseNames(target.machine.name);
    const guess = closest(testCase, known);
    const where = context.mocks.file ? ` ${projectRelative(context.root, context.mocks.file)}` : ' (none is configured: set mocks in deliv.yaml)';
    const listed = known.length ? `; known: ${known.join(', ')}` : context.mocks.file ? '; it defines none for this machine' : '';
    throw new ApiError('ValidationException', `Test case '${testCase}' is not defined for state machine '${target.machine.name}' in the mock config file${where}${guess ? `; did you mean '${guess}'?` : ''}${listed}`);
  }
  const express = target.machine.type === 'EXPRESS';
  return context.store.transaction(() => {
    if (!express) {
      const existing = context.store.findExecutionByName(target.machine.arn, name);
      if (existing) {
        // AWS's idempotency: the same name and input while still running returns the running execution.
        if (existing.status === 'RUNNING' && existing.input === inputText) return { row: existing, existing: true };
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.arn}'`);
      }
    }
    const row: ExecutionRow = {
      arn: buildExecutionArn(context.partition, target.machine.name, name, express),
      machineArn: target.machine.arn,
      machineName: target.machine.name,
      versionArn: target.version?.arn ?? null,
      aliasArn: target.alias?.arn ?? null,
      name,
      type: target.machine.type,
      status: 'RUNNING',
      input: inputText,
      output: null,
      error: null,
      cause: null,
      started: context.clock.now(),
      stopped: null,
      definition: target.definition,
      roleArn: target.roleArn,
      revisionId: target.revisionId,
      revisionDate: target.version?.created ?? target.machine.updated,
      traceHeader: request.traceHeader ?? null,
      testCase: testCase ?? null,
      redriveCount: 0,
      redriveDate: null,
      parentArn: request.parentArn ?? null,
    };
    context.store.insertExecution(row);
    return { row, existing: false };
  });
}

const startExecutionAction: Handler = (context, input) => {
  const { row, existing } = startExecution(context, {
    stateMachineArn: requireString(input, 'stateMachineArn'),
    name: optionalString(input, 'name'),
    input: optionalString(input, 'input'),
    traceHeader: optionalString(input, 'traceHeader', 256),
  });
  if (!existing) context.runtime.run(row);
  return { executionArn: row.arn, startDate: epoch(row.started) };
};

const startSyncExecution: Handler = async (context, input) => {
  const arn = requireString(input, 'stateMachineArn');
  const target = resolveMachine(context, arn);
  if (target.machine.type !== 'EXPRESS') {
    throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  }
  const name = checkName(optionalString(input, 'name') ?? crypto.randomUUID());
  const inputText = optionalString(input, 'input') ?? '{}';
  const parsed = parseInput(inputText);
  const executionArn = buildExecutionArn(context.partition, target.machine.name, name, true);
  const started = context.clock.now();
  const result = await context.runtime.runSync({
    definition: target.definition,
    arn: executionArn,
    name,
    machineArn: target.version?.arn ?? target.machine.arn,
    machineName: target.machine.name,
    roleArn: target.roleArn,
    input: parsed,
    type: 'EXPRESS',
    loggingMachineArn: target.machine.arn,
  });
  const output = result.output === undefined ? undefined : JSON.stringify(result.output);
  return compact({
    executionArn,
    stateMachineArn: target.version?.arn ?? target.machine.arn,
    name,
    startDate: epoch(started),
    stopDate: epoch(result.stopped),
    status: result.status === 'ABORTED' ? 'FAILED' : result.status,
    error: result.error,
    cause: result.cause,
    input: inputText,
    inputDetails: { included: true },
    output,
    outputDetails: output === undefined ? undefined : { included: true },
    traceHeader: optionalString(input, 'traceHeader'),
    billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((result.stopped - started) / 100) * 100) },
  });
};

const stopExecution: Handler = async (context, input) => {
  const arn = requireString(input, 'executionArn');
  const row = getExecution(context, arn);
  const stopping = context.runtime.stop(arn, optionalString(input, 'error', 256), optionalString(input, 'cause', 32768));
  const done = stopping ? await stopping : row;
  return { stopDate: epoch(done.stopped ?? context.clock.now()) };
};


/** The Map Run that started a child execution (its parentArn), if it is one. */
const mapRunOf = (row: ExecutionRow): string | undefined => (row.parentArn?.includes(':mapRun:') ? row.parentArn : undefined);

export function describeRow(context: EmulatorContext, row: ExecutionRow): Record<string, unknown> {
  const redrive = storedRedriveStatus(context.store, row, context.clock.now());
  return compact({
    executionArn: row.arn,
    stateMachineArn: row.machineArn,
    name: row.name,
    status: row.status,
    startDate: epoch(row.started),
    stopDate: epoch(row.stopped),
    input: row.input,
    inputDetails: { included: true },
    output: row.output ?? undefined,
    outputDetails: row.output === null ? undefined : { included: true },
    traceHeader: row.traceHeader ?? undefined,
    error: row.error ?? undefined,
    cause: row.cause ?? undefined,
    stateMachineVersionArn: row.versionArn ?? undefined,
    stateMachineAliasArn: row.aliasArn ?? undefined,
    mapRunArn: mapRunOf(row),
    redriveCount: row.redriveCount,
    redriveDate: epoch(row.redriveDate),
    redriveStatus: redrive.status,
    redriveStatusReason: redrive.reason,
  });
}

const describeExecution: Handler = (context, input) => describeRow(context, getExecution(context, requireString(input, 'executionArn'), { mapRunChild: true }));

const listExecutions: Handler = (context, input) => {
  const mapRunArn = optionalString(input, 'mapRunArn');
  if (mapRunArn !== undefined && input.stateMachineArn !== undefined) {
    throw new ApiError('ValidationException', 'Must provide only a StateMachine ARN or a MapRun ARN, not both', 400, { reason: 'MISSING_REQUIRED_PARAMETER' });
  }
  if (mapRunArn !== undefined) return listExecutionsOf(context, input, mapRunChildren(context, mapRunArn));
  const arn = optionalString(input, 'stateMachineArn');
  if (!arn) throw new ApiError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN', 400, { reason: 'MISSING_REQUIRED_PARAMETER' });
  const ref = parseMachineArn(arn);
  // Express executions are not listed (they are in the machine's log group), as AWS answers (recorded).
  if (getMachine(context, ref.machineArn).type === 'EXPRESS') throw new ApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
  return listExecutionsOf(context, input, {
    scope: arn,
    machineArn: ref.machineArn,
    versionArn: ref.version !== undefined ? `${ref.machineArn}:${ref.version}` : undefined,
    aliasArn: ref.alias !== undefined ? `${ref.machineArn}:${ref.alias}` : undefined,
  });
};

/** ListExecutions --map-run-arn: the Map Run's (Standard) child executions. */
function mapRunChildren(context: EmulatorContext, mapRunArn: string): Pick<ExecutionFilter, 'machineArn' | 'mapRunArn'> & { scope: string } {
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:mapRun:[^:]+:[^:]+$/.test(mapRunArn)) throw new ApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${mapRunArn}'`);
  const run = context.store.getMapRun(mapRunArn);
  if (!run) throw resourceNotFound(`Resource not found: '${mapRunArn}'`, mapRunArn);
  return { scope: mapRunArn, machineArn: run.childMachineArn, mapRunArn };
}

function listExecutionsOf(context: EmulatorContext, input: Input, target: Pick<ExecutionFilter, 'machineArn' | 'versionArn' | 'aliasArn' | 'mapRunArn'> & { scope: string }): unknown {
  const arn = target.scope;
  const status = optionalString(input, 'statusFilter');
  if (status && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(status)) {
    throw new ApiError('ValidationException', `1 validation error detected: Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]`);
  }
  const redriveFilter = optionalString(input, 'redriveFilter');
  const filter: ExecutionFilter = {
    machineArn: target.machineArn,
    versionArn: target.versionArn,
    aliasArn: target.aliasArn,
    mapRunArn: target.mapRunArn,
    status,
    redriven: redriveFilter === 'REDRIVEN' ? true : redriveFilter === 'NOT_REDRIVEN' ? false : undefined,
  };
  const scope = `ListExecutions|${arn}|${status ?? ''}|${redriveFilter ?? ''}`;
  const request = context.pager.request(input, scope);
  const after = request.after && pageKeyOf(request.after, 2);
  const rows = context.store.listExecutionsPage(filter, after && [after[0], after[1]], request.size + 1);
  const { page, nextToken } = context.pager.result(rows, request, scope, (row) => [row.started, row.seq]);
  return compact({
    executions: page.map((row) =>
      compact({
        executionArn: row.arn,
        stateMachineArn: row.machineArn,
        name: row.name,
        status: row.status,
        startDate: epoch(row.started),
        stopDate: epoch(row.stopped),
        stateMachineVersionArn: row.versionArn ?? undefined,
        stateMachineAliasArn: row.aliasArn ?? undefined,
        redriveCount: row.redriveCount,
        redriveDate: epoch(row.redriveDate),
      }),
    ),
    nextToken,
  });
}

/** Event details keys whose payloads `includeExecutionData: false` leaves out. */
const DATA_KEYS = new Set(['input', 'output', 'parameters', 'result']);

function wireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...event, timestamp: epoch(new Date(event.timestamp as Date).getTime()) };
  if (!includeData) {
    for (const [key, value] of Object.entries(wire)) {
      if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
      wire[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([field]) => !DATA_KEYS.has(field)));
    }
  }
  return wire;
}

const getExecutionHistory: Handler = (context, input) => {
  const row = getExecution(context, requireString(input, 'executionArn'));
  const reverse = input.reverseOrder === true;
  const scope = `GetExecutionHistory|${row.arn}|${reverse}`;
  const request = context.pager.request(input, scope);
  const after = request.after && pageKeyOf(request.after, 1)[0];
  const events = context.store.historyPage(row.arn, after, request.size + 1, reverse);
  const { page, nextToken } = context.pager.result(events, request, scope, (event) => [event.id ?? 0]);
  const includeData = input.includeExecutionData !== false;
  return compact({ events: page.map((event) => wireEvent(event, includeData)), nextToken });
};

/**
 * When the revision an execution ran became current: recorded as it started
 * (a version's publication, else the machine's last update). Executions stored
 * before that was kept: a version's date, else the machine's while unchanged.
 */
function revisionDate(context: EmulatorContext, row: ExecutionRow, machine: MachineRow | undefined): number {
  if (row.revisionDate !== undefined && row.revisionDate !== null) return row.revisionDate;
  const version = row.versionArn ? context.store.getVersion(row.versionArn) : undefined;
  if (version) return version.created;
  return machine && machine.revisionId === row.revisionId ? machine.updated : row.started;
}

const describeStateMachineForExecution: Handler = (context, input) => {
  const row = getExecution(context, requireString(input, 'executionArn'));
  const machine = context.store.getMachine(row.machineArn);
  // The revision the execution ran, not the machine as it is now (AWS: "the state machine associated with the execution").
  return compact({
    stateMachineArn: row.versionArn ?? row.machineArn,
    name: row.machineName,
    definition: row.definition,
    roleArn: row.roleArn,
    updateDate: epoch(revisionDate(context, row, machine)),
    loggingConfiguration: machine ? (JSON.parse(machine.loggingConfiguration) as unknown) : { level: 'OFF', includeExecutionData: false },
    mapRunArn: mapRunOf(row),
    label: mapRunOf(row) && row.machineName.slice(row.machineName.indexOf('/') + 1),
    tracingConfiguration: machine ? (JSON.parse(machine.tracingConfiguration) as unknown) : { enabled: false },
    // A Map Run's child runs the ItemProcessor, which is no revision of a machine.
    revisionId: row.revisionId || undefined,
  });
};

/**
 * RedriveExecution: the failed execution carries on from where it failed. The
 * engine resumes from its history up to the failing state's entry (so that
 * state runs again, with fresh retries); the failed attempt's events stay in
 * the history, followed by ExecutionRedriven, as AWS shows them.
 */
const redriveExecution: Handler = (context, input: Input) => {
  const row = getExecution(context, requireString(input, 'executionArn'));
  const reason = storedRedriveRefusal(context.store, row, context.clock.now());
  if (reason !== undefined) throw new ApiError('ExecutionNotRedrivable', `Execution is not redrivable: '${reason}'`);
  const now = context.clock.now();
  redriveStored(context.store, row, now);
  context.runtime.run(context.store.getExecution(row.arn)!);
  return { redriveDate: epoch(now) };
};

export const executionActions: Record<string, Handler> = {
  StartExecution: startExecutionAction,
  StartSyncExecution: startSyncExecution,
  StopExecution: stopExecution,
  DescribeExecution: describeExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  DescribeStateMachineForExecution: describeStateMachineForExecution,
  RedriveExecution: redriveExecution,
};
