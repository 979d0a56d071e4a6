/**
 * Map Runs: a Distributed Map's iterations are child executions, as on AWS.
 * The engine runs them (Map semantics live there) and writes each child's own
 * history here; this keeps them as executions of `stateMachine:<machine>/<label>`
 * whose parentArn is the Map Run, so DescribeExecution, GetExecutionHistory and
 * ListExecutions --map-run-arn serve them, and keeps the Map Run itself for
 * ListMapRuns, DescribeMapRun and UpdateMapRun (whose settings the running Map
 * reads as it goes).
 */
import type { JsonValue } from '../asl/types.js';
import type { MapRunChild, MapRunHandle, MapRunHost, MapRunStart } from '../engine/types.js';
import type { Clock } from '../engine/types.js';
import { executionArnOfMachine } from './arn.js';
import type { ExecutionRow, MapRunRow, Store } from './store.js';

export interface MapRunSettings {
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
}

/** The execution ARN of a Map Run's child: `execution:<machine>/<label>:<name>` (Express: `express:...:<name>:<id>`). */
function childArn(run: MapRunStart, name: string): string {
  return executionArnOfMachine(run.childMachineArn, name, run.childType === 'EXPRESS' ? crypto.randomUUID() : null);
}

export class MapRuns implements MapRunHost {
  /** The settings of the Map Runs under way, as UpdateMapRun leaves them. */
  private readonly live = new Map<string, MapRunSettings>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  start(run: MapRunStart): MapRunHandle {
    const { store, clock } = this;
    const earlier = store.getMapRun(run.mapRunArn);
    // The same Map Run again: its execution resumed after a restart and runs its items again.
    if (earlier) store.deleteMapRunChildren(earlier);
    const settings: MapRunSettings = {
      maxConcurrency: run.maxConcurrency,
      toleratedFailureCount: run.toleratedFailureCount,
      toleratedFailurePercentage: run.toleratedFailurePercentage,
    };
    const row: MapRunRow = {
      arn: run.mapRunArn,
      executionArn: run.executionArn,
      childMachineArn: run.childMachineArn,
      label: run.label,
      childType: run.childType,
      status: 'RUNNING',
      started: clock.now(),
      stopped: null,
      itemCount: run.itemCount,
      definition: run.definition,
      ...settings,
    };
    store.putMapRun(row);
    this.live.set(run.mapRunArn, settings);
    const machineName = run.childMachineArn.slice(run.childMachineArn.lastIndexOf(':') + 1);
    return {
      child: (_index: number, input: JsonValue): MapRunChild => {
        const name = crypto.randomUUID();
        const started = clock.now();
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
          started,
          stopped: null,
          definition: run.definition,
          roleArn: run.roleArn,
          revisionId: '',
          revisionDate: row.started,
          traceHeader: null,
          testCase: null,
          redriveCount: 0,
          redriveDate: null,
          parentArn: run.mapRunArn,
        };
        store.insertExecution(child);
        return {
          executionArn: child.arn,
          name,
          onEvent: (event) => store.appendEvent(child.arn, event),
          ended: (result) =>
            store.finishExecution(child.arn, {
              status: result.status,
              output: result.output === undefined ? null : JSON.stringify(result.output),
              error: result.error ?? null,
              cause: result.cause ?? null,
              stopped: clock.now(),
            }),
        };
      },
      ended: (status) => {
        this.live.delete(run.mapRunArn);
        store.finishMapRun(run.mapRunArn, status, clock.now());
      },
      settings: () => ({
        maxConcurrency: settings.maxConcurrency,
        toleratedFailureCount: settings.toleratedFailureCount,
        toleratedFailurePercentage: settings.toleratedFailurePercentage,
      }),
    };
  }

  /** UpdateMapRun: stored, and seen by the running Map as its next child starts or fails. */
  update(arn: string, settings: MapRunSettings): void {
    this.store.updateMapRun(arn, settings);
    const live = this.live.get(arn);
    if (live) Object.assign(live, settings);
  }
}
