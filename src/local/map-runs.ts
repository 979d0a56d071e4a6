/**
 * Map Runs: a Distributed Map's iterations are child executions, as on AWS.
 * The engine runs them (Map semantics live there) and writes each child's own
 * history here; this keeps them as executions of `stateMachine:<machine>/<label>`
 * whose parentArn is the Map Run, so DescribeExecution, GetExecutionHistory and
 * ListExecutions --map-run-arn serve them, and keeps the Map Run itself for
 * ListMapRuns, DescribeMapRun and UpdateMapRun (whose settings the running Map
 * reads as it goes).
 */
import type { JsonObject, JsonValue } from '../asl/types.js';
import type { MapRunRecord } from '../engine/result-writer.js';
import { TaskFailure, type ChildOutcome, type MapRunChild, type MapRunHandle, type MapRunHost, type MapRunStart } from '../engine/types.js';
import { StatesErrors } from '../asl/errors.js';
import type { Clock } from '../engine/types.js';
import { executionArnOfMachine } from './arn.js';
import { carryOn, redriveStored, storedRedriveRefusal, storedRedriveStatus, UNSUCCESSFUL, type RedriveStatus } from './redrive.js';
import type { ExecutionRow, Store } from './store.js';

export interface MapRunSettings {
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
}

/** The execution ARN of a Map Run's child: `execution:<machine>/<label>:<name>` (Express: `express:...:<name>:<id>`). */
function childArn(run: MapRunStart, name: string): string {
  return executionArnOfMachine(run.childMachineArn, name, run.childType === 'EXPRESS' ? crypto.randomUUID() : null);
}


/**
 * An unsuccessful child a Map Run's redrive cannot run again: a Standard one
 * that RedriveExecution's rule refuses (past its events or its 14 days). An
 * Express one always can: it starts over ("rerun using the StartExecution API action").
 */
function notRedrivable(store: Store, child: ExecutionRow, now: number): boolean {
  return child.type === 'STANDARD' && UNSUCCESSFUL.has(child.status) && storedRedriveRefusal(store, child, now) !== undefined;
}

/** AWS: "the hard limit of 1000 redrives of a given Map Run"; past it the redrive fails with States.Runtime. */
export const MAP_RUN_REDRIVE_LIMIT = 1000;

interface Live {
  settings: MapRunSettings;
  wake?: () => void;
  /** A redriven Map Run's unsuccessful children not redriven yet (item -> items it holds): DescribeMapRun's pendingRedrive. */
  pendingRedrive: Map<number, number>;
}

export class MapRuns implements MapRunHost {
  /** The settings of the Map Runs under way, as UpdateMapRun leaves them, and how to wake their Map when the concurrency rises. */
  private readonly live = new Map<string, Live>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** `writing` says whether the parent still writes its history: once it stops (shutdown), the Map Run and its children write nothing either. */
  start(run: MapRunStart, writing: () => boolean = () => true): MapRunHandle {
    const { store, clock } = this;
    const now = clock.now();
    // The Map state's latest Map Run: the engine names the first; later ones (see below) carry a suffix.
    const runs = store.mapRunsStartedAs(run.mapRunArn);
    let row = runs.at(-1);
    let arn = row?.arn ?? run.mapRunArn;
    // The parent starts the Map state anew (no recorded start to replay) over a Map Run that ended: it was redriven.
    let redrive = row !== undefined && !run.resumed && row.status !== 'RUNNING';
    if (row && redrive && row.status === 'SUCCEEDED') {
      // AWS starts a new Map Run (an ARN of its own) rather than redrive one that succeeded, when the Map state
      // failed after it (on its output: States.DataLimitExceeded, a States.Runtime path error): the old one stays as it was.
      arn = `${run.mapRunArn}.${runs.length + 1}`;
      row = undefined;
      redrive = false;
    }
    if (row && redrive) {
      if (row.redriveCount >= MAP_RUN_REDRIVE_LIMIT) {
        throw new TaskFailure(StatesErrors.Runtime, `The Map Run ${row.arn} has been redriven ${row.redriveCount} times, the most a Map Run can be redriven (${MAP_RUN_REDRIVE_LIMIT})`);
      }
      store.redriveMapRun(row.arn, now);
    }
    if (!row) {
      row = {
        arn,
        executionArn: run.executionArn,
        childMachineArn: run.childMachineArn,
        label: run.label,
        childType: run.childType,
        status: 'RUNNING',
        started: now,
        stopped: null,
        itemCount: run.itemCount,
        definition: run.definition,
        maxConcurrency: run.maxConcurrency,
        toleratedFailureCount: run.toleratedFailureCount,
        toleratedFailurePercentage: run.toleratedFailurePercentage,
        redriveCount: 0,
        redriveDate: null,
        items: run.items,
      };
      store.putMapRun(row);
    }
    const redriveCount = row.redriveCount + (redrive ? 1 : 0);
    // An earlier attempt's settings stand (UpdateMapRun may have changed them).
    const settings: MapRunSettings = { maxConcurrency: row.maxConcurrency, toleratedFailureCount: row.toleratedFailureCount, toleratedFailurePercentage: row.toleratedFailurePercentage };
    const live: Live = { settings, pendingRedrive: new Map() };
    this.live.set(arn, live);
    const earlier = new Map<number, ExecutionRow>();
    // The unsuccessful children this redrive leaves as they are: they count as failed again.
    const stuck = new Set<number>();
    for (const child of store.mapRunChildren(arn)) {
      const execution = store.getExecution(child.arn);
      if (!execution) continue;
      earlier.set(child.item, execution);
      if (redrive && notRedrivable(store, execution, now)) stuck.add(child.item);
      else if (redrive && UNSUCCESSFUL.has(execution.status)) live.pendingRedrive.set(child.item, child.items);
    }
    const machineName = run.childMachineArn.slice(run.childMachineArn.lastIndexOf(':') + 1);
    const host = (child: ExecutionRow, resume: boolean): MapRunChild => {
      const { resumeFrom, write } = carryOn(store, child, resume);
      return {
        executionArn: child.arn,
        name: child.name,
        resumeFrom,
        redriveCount: child.redriveCount,
        onEvent: (event) => {
          if (writing()) write(event);
        },
        ended: (result) => {
          if (!writing()) return;
          store.finishExecution(child.arn, {
            status: result.status,
            output: result.output === undefined ? null : JSON.stringify(result.output),
            error: result.error ?? null,
            cause: result.cause ?? null,
            stopped: clock.now(),
          });
        },
      };
    };
    return {
      arn: arn === run.mapRunArn ? undefined : arn,
      redriveCount,
      kept: (index) => {
        const child = earlier.get(index);
        if (!child || child.status === 'RUNNING') return undefined;
        // A redrive runs the unsuccessful children again; a resume keeps every child that ended.
        if (redrive && UNSUCCESSFUL.has(child.status) && !stuck.has(index)) return undefined;
        return {
          status: child.status as ChildOutcome['status'],
          output: child.output === null ? undefined : (JSON.parse(child.output) as JsonValue),
          error: child.error ?? undefined,
          cause: child.cause ?? undefined,
        };
      },
      child: (index: number, input: JsonValue): MapRunChild => {
        const before = earlier.get(index);
        if (before && !UNSUCCESSFUL.has(before.status)) return host(before, true);
        live.pendingRedrive.delete(index);
        if (before && before.type === 'STANDARD') {
          // AWS redrives a Standard child (RedriveExecution): the same ARN, from the state that failed.
          redriveStored(store, before, clock.now());
          return host(store.getExecution(before.arn) as ExecutionRow, true);
        }
        if (before) {
          // An Express child starts over (StartExecution) under the same ARN.
          store.restartExecution(before.arn, clock.now());
          return host(store.getExecution(before.arn) as ExecutionRow, false);
        }
        const name = crypto.randomUUID();
        const child: ExecutionRow = {
          arn: childArn(run, name),
          machineArn: run.childMachineArn,
          machineName,
          versionArn: null,
          aliasArn: null,
          name,
          type: run.childType,
          status: 'RUNNING',
          input: JSON.stringify(input),
          output: null,
          error: null,
          cause: null,
          started: clock.now(),
          stopped: null,
          definition: run.definition,
          roleArn: run.roleArn,
          revisionId: '',
          revisionDate: row.started,
          traceHeader: null,
          testCase: null,
          redriveCount: 0,
          redriveDate: null,
          parentArn: arn,
        };
        store.insertExecution(child);
        store.putMapRunChild(arn, { item: index, arn: child.arn, name, items: itemsOf(input) });
        return host(child, false);
      },
      ended: (status) => {
        // AWS: "When a Map Run has completed its execution or is aborted, the count ... in the Pending redrive state is reset to 0."
        this.live.delete(arn);
        if (writing()) store.finishMapRun(arn, status, clock.now());
      },
      settings: () => ({ ...settings }),
      onSettingsChange: (wake) => {
        live.wake = wake;
      },
      records: () =>
        store.mapRunChildren(arn).flatMap((child): MapRunRecord[] => {
          const execution = store.getExecution(child.arn);
          if (!execution) return [];
          // A running child (being aborted) has no RedriveStatus yet.
          const record = resultRecord(execution, execution.status === 'RUNNING' ? undefined : storedRedriveStatus(store, execution, clock.now()));
          return [{ index: child.item, status: execution.status as MapRunRecord['status'], record, output: execution.output === null ? undefined : (JSON.parse(execution.output) as JsonValue), items: child.items }];
        }),
      resultsWritten: (executions, items) => {
        if (writing()) store.mapRunResultsWritten(arn, executions, items);
      },
    };
  }

  /** A redriven Map Run's unsuccessful children (and their items) waiting to be redriven, within MaxConcurrency. */
  pendingRedrive(arn: string): { executions: number; items: number } {
    const pending = this.live.get(arn)?.pendingRedrive;
    if (!pending) return { executions: 0, items: 0 };
    let items = 0;
    for (const n of pending.values()) items += n;
    return { executions: pending.size, items };
  }

  /** DescribeMapRun's failuresNotRedrivable: the unsuccessful children (and their items) a redrive could not run again now. */
  failuresNotRedrivable(arn: string): { executions: number; items: number } {
    const now = this.clock.now();
    let executions = 0;
    let items = 0;
    for (const child of this.store.mapRunChildren(arn)) {
      const execution = this.store.getExecution(child.arn);
      if (!execution || !notRedrivable(this.store, execution, now)) continue;
      executions++;
      items += child.items;
    }
    return { executions, items };
  }

  /** UpdateMapRun: stored, and seen by the running Map at once (a higher concurrency starts more children now). */
  update(arn: string, settings: MapRunSettings): void {
    this.store.updateMapRun(arn, settings);
    const live = this.live.get(arn);
    if (live) {
      Object.assign(live.settings, settings);
      live.wake?.();
    }
  }
}

/**
 * A child execution as ResultWriter writes it (Transformation NONE): AWS's
 * fields in AWS's order (its documented SUCCEEDED_n.json and recorded
 * FAILED_n.json entries): a failure carries Error and Cause and no Output.
 * InputDetails and OutputDetails say Included: true, always: the entries are
 * DescribeExecution's, whose `included` AWS documents as "Always true for API
 * calls" (CloudWatchEventsExecutionDataDetails).
 */
export function resultRecord(row: ExecutionRow, redrive: RedriveStatus | undefined): JsonObject {
  const record: JsonObject = {};
  const succeeded = row.status === 'SUCCEEDED';
  if (!succeeded && row.cause !== null) record.Cause = row.cause;
  if (!succeeded && row.error !== null) record.Error = row.error;
  Object.assign(record, { ExecutionArn: row.arn, Input: row.input, InputDetails: { Included: true }, Name: row.name });
  if (succeeded) record.Output = row.output ?? 'null';
  Object.assign(record, { OutputDetails: { Included: true }, RedriveCount: row.redriveCount });
  if (redrive) record.RedriveStatus = redrive.status;
  if (redrive?.reason !== undefined) record.RedriveStatusReason = redrive.reason;
  Object.assign(record, { StartDate: new Date(row.started).toISOString(), StateMachineArn: row.machineArn, Status: row.status });
  if (row.stopped !== null) record.StopDate = new Date(row.stopped).toISOString();
  return record;
}

/** How many items a child's input holds: a batch's `Items`, else the one item. */
function itemsOf(input: JsonValue): number {
  return input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray(input.Items) ? input.Items.length : 1;
}
