/**
 * The contract between the engine and its hosts (the emulator, tests, benches).
 * The engine does no I/O: tasks go to a TaskRunner, time comes from a Clock,
 * and history events go to `onEvent` in the exact GetExecutionHistory shape.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { JsonObject, JsonValue, WorkflowType } from '../asl/types.js';

export type { HistoryEvent };

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A deadline racing real work (task TimeoutSeconds/HeartbeatSeconds, the
   * execution's TimeoutSeconds). Defaults to `sleep`; a scaled real clock keeps
   * it in real time so that fast-forwarded waits never time out a live handler.
   */
  deadline?(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A limit of the service's own (an Express execution's five minutes): due
   * once this clock's time has passed it. A virtual clock never jumps to one
   * while it waits for nothing else, since the work it would cut short may be
   * running elsewhere (a handler, a JSONata worker) or on the next turn.
   * Defaults to `deadline`.
   */
  limit?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How a Task resource is integrated, from its ARN suffix. */
export type IntegrationPattern = 'request-response' | 'sync' | 'sync:2' | 'waitForTaskToken';

/** A task's failure as Step Functions reports it (`Error` and `Cause` of TaskFailed). */
export class TaskFailure extends Error {
  constructor(
    readonly error: string,
    override readonly cause?: string,
  ) {
    super(cause ? `${error}: ${cause}` : error);
    this.name = 'TaskFailure';
  }
}

export interface TaskRequest {
  /** The resource ARN as written, e.g. `arn:aws:states:::lambda:invoke.waitForTaskToken`. */
  resource: string;
  /** The resource without its integration suffix. */
  baseResource: string;
  pattern: IntegrationPattern;
  /** The effective parameters (Parameters / Arguments evaluated), what AWS sends to the service. */
  parameters: JsonValue;
  stateName: string;
  /** The context object `$$` as the state sees it (Task.Token included for callbacks). */
  context: JsonValue;
  taskToken?: string;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** 0 on the first attempt, then the retry count. */
  attempt: number;
  executionArn: string;
  /** Aborted when the task times out or the execution stops: a runner should give up then. */
  signal: AbortSignal;
  /** Called by the host whenever SendTaskHeartbeat arrives for this task. */
  heartbeat(): void;
  /** Activity tasks: called by the host when a worker takes the task (GetActivityTask), for ActivityStarted. */
  started?(workerName?: string): void;
  /**
   * For `.sync` and `.waitForTaskToken`: the runner calls this once the submit
   * call (the Lambda invoke, SendMessage, StartExecution...) was accepted, with
   * the service's answer; the engine records it as TaskSubmitted, as AWS does.
   */
  submitted(output: JsonValue): void;
}

export interface TaskRunner {
  /**
   * Performs the task and resolves with its result, or rejects with a TaskFailure.
   * For `.waitForTaskToken` it resolves only when the token is answered.
   * Any other rejection is reported as a `States.TaskFailed`-style failure by the engine.
   */
  run(request: TaskRequest): Promise<JsonValue>;
  /** Reads the items of a distributed Map's ItemReader (local files in the emulator). */
  readItems?(request: { resource: string; parameters: JsonValue; readerConfig: JsonValue; signal: AbortSignal }): Promise<JsonValue[]>;
  /**
   * Writes a Distributed Map's ResultWriter files (the result files with
   * entries, then manifest.json) and resolves with `{ Bucket, Key }` of the
   * manifest; rejects with a TaskFailure (States.ResultWriterFailed).
   */
  writeResults?(request: ResultWriteRequest): Promise<JsonObject>;
}

/** One child execution (or an item that never started one) as the result files hold it. */
export interface MapRunRecord {
  index: number;
  /** The child's status; PENDING for an item whose child was not started because the Map Run failed. */
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'RUNNING' | 'PENDING';
  /** The record with AWS's workflow metadata (Transformation NONE). */
  record: JsonObject;
  /** The child's output (COMPACT and FLATTEN write this), when it succeeded. */
  output?: JsonValue;
  /** Items the child ran (a batch counts its items): DescribeMapRun's itemCounts.resultsWritten. */
  items: number;
}

export interface ResultWriteRequest {
  resource: string;
  bucket: string;
  prefix: string;
  mapRunArn: string;
  outputType: 'JSON' | 'JSONL';
  files: { SUCCEEDED: JsonValue[]; FAILED: JsonValue[]; PENDING: JsonValue[] };
  signal: AbortSignal;
}

/** What the engine tells its host about a Distributed Map's Map Run as it starts. */
export interface MapRunStart {
  mapRunArn: string;
  /**
   * The parent replays its own recorded start of this Map Run (it resumed
   * after a restart): the Map Run carries on. False when the parent starts the
   * Map state now, where a Map Run of the same ARN that did not succeed is
   * redriven (the parent was redriven).
   */
  resumed: boolean;
  /** The execution that runs the Distributed Map. */
  executionArn: string;
  stateName: string;
  /** The Map's `Label`, else its state name: the Map Run ARN's and child executions' `<machine>/<label>`. */
  label: string;
  /** The children's state machine, `stateMachine:<machine>/<label>`. */
  childMachineArn: string;
  childType: WorkflowType;
  roleArn: string;
  /** Child executions to run: the items, or their batches with an ItemBatcher. */
  itemCount: number;
  /** Items read, before batching (DescribeMapRun's itemCounts count these). */
  items: number;
  maxConcurrency: number;
  toleratedFailureCount: number;
  toleratedFailurePercentage: number;
  /** The ItemProcessor as its own state machine definition (what DescribeStateMachineForExecution shows a child). */
  definition: string;
}

/** One child execution of a Map Run: the engine writes its whole history (ids from 1) to `onEvent`. */
export interface MapRunChild {
  executionArn: string;
  name: string;
  onEvent(event: HistoryEvent): void;
  /** The child ended (its last event was written just before). */
  ended(result: ChildOutcome): void;
  /**
   * The child's history so far when it carries on rather than starts: after a
   * restart (all of it), or redriven (up to its failing state, then its
   * ExecutionRedriven). The engine replays it, so finished tasks do not run again.
   */
  resumeFrom?: readonly HistoryEvent[];
  /** How many times the child was redriven ($$.Execution.RedriveCount). */
  redriveCount?: number;
}

export interface ChildOutcome {
  status: ExecutionStatus;
  output?: JsonValue;
  error?: string;
  cause?: string;
}

export interface MapRunHandle {
  /**
   * The Map Run's ARN when the host gave it another than the one asked for:
   * AWS starts a new Map Run, rather than redrive the one there was, when that
   * one succeeded and the Map state failed after it.
   */
  readonly arn?: string;
  /**
   * How many times this Map Run was redriven, this start included: above 0 the
   * parent records MapRunRedriven instead of MapRunStarted.
   */
  readonly redriveCount: number;
  /**
   * The outcome an item keeps from an earlier attempt of this Map Run (resumed
   * after a restart, or redriven): the item is not run again. Undefined when
   * the item runs (its child starts, carries on, or is redriven).
   */
  kept(index: number): ChildOutcome | undefined;
  /** A child execution for the item at `index`, started now with `input` (or carrying on, see MapRunChild.resumeFrom). */
  child(index: number, input: JsonValue): MapRunChild;
  /** The Map Run ended. */
  ended(status: 'SUCCEEDED' | 'FAILED' | 'ABORTED'): void;
  /** UpdateMapRun's settings as they are now (read whenever a child could start or fails): what the host changed since the start. */
  settings(): { maxConcurrency: number; toleratedFailureCount?: number; toleratedFailurePercentage?: number };
  /** Registers what to call when the settings change, so a raised MaxConcurrency starts children at once rather than as the next one ends. */
  onSettingsChange?(wake: () => void): void;
  /** The Map Run's children as ResultWriter writes them (AWS's workflow metadata), in item order; without it the engine writes what it knows. */
  records?(): MapRunRecord[];
  /** ResultWriter wrote the results of this many child executions, holding this many items (DescribeMapRun's resultsWritten). */
  resultsWritten?(executions: number, items: number): void;
}

/**
 * A host that keeps Map Runs (the emulator): a Distributed Map's iterations
 * become child executions it stores and serves (ListMapRuns, DescribeMapRun,
 * ListExecutions --map-run-arn). Without one, the iterations run unrecorded.
 */
export interface MapRunHost {
  start(run: MapRunStart): MapRunHandle;
}

export interface ExecutionIdentity {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  /** ISO-8601 start time; defaults to the clock's now. */
  startTime?: string;
  redriveCount?: number;
  type?: WorkflowType;
}

export interface ExecutionOptions extends ExecutionIdentity {
  input: JsonValue;
  runner: TaskRunner;
  clock?: Clock;
  /** Receives every history event as it is appended. */
  onEvent?: (event: HistoryEvent) => void;
  /**
   * A prefix of this execution's own history (from a store, after a crash):
   * the engine replays it without re-running completed tasks, then carries on.
   */
  resumeFrom?: readonly HistoryEvent[];
  /** The secret task tokens are derived from; a host that resumes executions keeps it (default: random per process). */
  taskTokenKey?: Uint8Array;
  /** Where a Distributed Map's child executions go (see MapRunHost). */
  mapRuns?: MapRunHost;
  /** Variables the execution starts with (TestState's `variables`); none by default. */
  variables?: Record<string, JsonValue>;
  /**
   * Sees each step of a state's data flow as it happens (TestState's
   * inspection data). Absent in normal runs, where it costs one check per step.
   */
  inspect?: (stage: InspectionStage, value: JsonValue) => void;
}

/** The points of a state's data flow that TestState reports (`inspectionData`), plus the error a retrier or catcher sees. */
export type InspectionStage = 'afterInputPath' | 'afterParameters' | 'afterArguments' | 'result' | 'afterResultSelector' | 'afterResultPath' | 'error';

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface ExecutionResult {
  status: ExecutionStatus;
  output?: JsonValue;
  error?: string;
  cause?: string;
  /** Number of history events appended, resumed ones included. */
  eventCount: number;
}

export interface ExecutionHandle {
  readonly result: Promise<ExecutionResult>;
  /** StopExecution: ends the execution as ABORTED with an optional error and cause. */
  stop(error?: string, cause?: string): void;
  /**
   * Fails the execution with States.Runtime and `cause` at its next state
   * transition, letting the state under way finish (DeleteStateMachine: "On the
   * next state transition, the state machine's executions are terminated").
   */
  halt(cause: string): void;
}

export interface CompileProblem {
  /** State path such as `States.Charge.Branches[0].States.Pay`, or `` for the root. */
  path: string;
  field?: string;
  message: string;
  /** The JSON pointer deliv validate gives, when it found the problem: exact where a name holds a dot (`d.$`, a state `A.B`), which `path` cannot be. */
  pointer?: string;
}

export interface CompiledMachine {
  start(options: ExecutionOptions): ExecutionHandle;
}

export type CompileResult =
  | { ok: true; machine: CompiledMachine; warnings: CompileProblem[] }
  /** warnings: what the emulator's create-time checks found beside the errors (ValidateStateMachineDefinition lists both). */
  | { ok: false; problems: CompileProblem[]; warnings?: CompileProblem[] };
