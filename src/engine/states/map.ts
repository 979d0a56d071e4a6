import type { JsonObject, JsonValue, MapState, WorkflowType } from '../../asl/types.js';
import type { EvalScope } from '../expr.js';
import type { CompiledState, Frame } from '../execution.js';
import { CancelScope, ChildExecution, HISTORY_LIMIT_CAUSE, runChain } from '../execution.js';
import type { ChildOutcome, MapRunHandle } from '../types.js';
import { Cancelled, errorOutput, executionTimedOutCause, StateFailure } from '../failure.js';
import type { MaybePromise, StateEnv, StateRun, Template } from '../io.js';
import { compileJsonataTail, compileJsonPathTail, compilePathStep, compileReferenceField, compileTemplate, enter, finishJsonata, finishJsonPath, runtimeError, andThen } from '../io.js';
import type { Reference } from '../paths.js';
import { runPool } from '../pool.js';
import { ErrorPolicy } from '../retry.js';
import { StatesErrors } from '../../asl/errors.js';
import { EXPRESS_MAX_SECONDS, HISTORY_EVENT_LIMIT } from '../../asl/limits.js';
import { TaskFailure } from '../types.js';
import { compileResultWriter, previewResults, resultFiles, writerTarget, type MapRunRecord } from '../result-writer.js';

/** Failures that ended a Map because of its iterations (as opposed to its own settings or items). */
const fromIterations = new WeakSet<StateFailure>();

type Setting = (run: StateRun, effective: JsonValue) => MaybePromise<number | undefined>;

/** A numeric Map setting given literally, as a JSONata expression, or through its `…Path`. */
function compileSetting(env: StateEnv, field: string, value: number | string | undefined, path: string | undefined, kind: 'integer' | 'float' = 'integer'): Setting {
  if (typeof value === 'number') return () => value;
  if (typeof value === 'string') {
    const template = compileTemplate(env, field, value) as Template;
    return (run) =>
      andThen(template(run.statesScope()), (result) => {
        if (typeof result !== 'number') throw runtimeError(`The ${field} field must be a number, but was: ${JSON.stringify(result)}`, StatesErrors.QueryEvaluationError);
        return result;
      });
  }
  const reference: Reference | undefined = compileReferenceField(env, `${field}Path`, path);
  if (!reference) return () => undefined;
  return (run, effective) => {
    const result = reference(run.at(effective));
    if (typeof result !== 'number' || (kind === 'integer' && !Number.isInteger(result))) {
      const shown = typeof result === 'string' ? result : JSON.stringify(result ?? null);
      throw runtimeError(`The ${field}Path field refers to value "${shown}" which is not a valid ${kind}: ${path}`);
    }
    return result;
  };
}

function typeName(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Starts a Map Run's child execution on the iteration's thread: its ExecutionStarted, then its states follow from id 1. */
function startChild(child: Frame, mapRun: MapRunHandle, index: number, input: JsonValue): ChildExecution {
  const exec = child.exec;
  const host = mapRun.child(index, input);
  const machineArn = host.executionArn.replace(/:(execution|express):([^:]+):.*$/, ':stateMachine:$2');
  const execution = new ChildExecution(host, input, exec.options.roleArn, { Id: machineArn, Name: machineArn.slice(machineArn.lastIndexOf(':') + 1) }, new Date(exec.clock.now()).toISOString());
  child.sink = execution;
  child.hidden = false;
  child.last = 0;
  exec.emit(child, 'ExecutionStarted', 'executionStartedEventDetails', { input: exec.json(input), inputDetails: { truncated: false }, roleArn: exec.options.roleArn });
  // As at the top level: the first state's entry follows event 0.
  child.last = 0;
  return execution;
}

/**
 * ItemBatcher: the items in order, cut into `{ BatchInput?, Items }` batches of
 * at most `maxItems` items and `maxBytes` bytes of item JSON (0 or unset is no
 * limit). An item larger than `maxBytes` on its own still gets a batch.
 */
export function batchItems(values: readonly JsonValue[], limits: { maxItems?: number; maxBytes?: number; batchInput?: JsonValue }): JsonObject[] {
  const { maxItems, maxBytes, batchInput } = limits;
  const batches: JsonObject[] = [];
  let current: JsonValue[] = [];
  let currentBytes = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    const batch: JsonObject = batchInput === undefined ? {} : { BatchInput: batchInput };
    batch.Items = current;
    batches.push(batch);
    current = [];
    currentBytes = 0;
  };
  for (const value of values) {
    const itemBytes = Buffer.byteLength(JSON.stringify(value));
    const full = (maxItems !== undefined && maxItems > 0 && current.length >= maxItems) || (maxBytes !== undefined && maxBytes > 0 && currentBytes + itemBytes > maxBytes);
    if (current.length > 0 && full) flush();
    current.push(value);
    currentBytes += itemBytes;
  }
  flush();
  return batches;
}
/** A child execution's last event and its end, as the top level writes them (engine Execution.finish). */
function endChild(child: Frame, execution: ChildExecution, result: ChildOutcome): void {
  const exec = child.exec;
  const details: Record<string, unknown> = {};
  if (result.status === 'SUCCEEDED') {
    details.output = exec.json(result.output ?? null);
    details.outputDetails = { truncated: false };
  }
  if (result.error !== undefined) details.error = result.error;
  if (result.cause !== undefined) details.cause = result.cause;
  const type = result.status === 'SUCCEEDED' ? 'ExecutionSucceeded' : result.status === 'FAILED' ? 'ExecutionFailed' : result.status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut';
  const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
  // Written even though the thread's scope may be cancelled (a sibling failed): the child's history ends either way.
  exec.recordEnd(child, type, key, details);
  execution.host.ended(result);
}

export interface MapProcessor {
  start: () => CompiledState | null;
  distributed: boolean;
}

export function compileMap(def: MapState, env: StateEnv, next: () => CompiledState | null, processor: MapProcessor): CompiledState {
  const name = env.name;
  const jsonata = env.language === 'JSONata';
  const distributed = processor.distributed;
  const inputPath = compilePathStep(env, 'InputPath', jsonata ? undefined : def.InputPath);
  const itemsPath = compilePathStep(env, 'ItemsPath', jsonata ? undefined : def.ItemsPath);
  if (def.ItemSelector !== undefined && def.Parameters !== undefined) env.problems.push({ path: env.path, field: 'ItemSelector', message: 'ItemSelector and Parameters are mutually exclusive' });
  const selectorField = def.ItemSelector !== undefined ? 'ItemSelector' : 'Parameters';
  const selector = compileTemplate(env, selectorField, def.ItemSelector ?? def.Parameters);
  const itemsExpression = typeof def.Items === 'string' ? def.Items.replace(/^\{%/, '').replace(/%\}$/, '').trim() : undefined;
  const items = jsonata && def.Items !== undefined ? compileTemplate(env, 'Items', def.Items) : undefined;
  const pathTail = jsonata ? undefined : compileJsonPathTail(env, def);
  const ataTail = jsonata ? compileJsonataTail(env, def) : undefined;
  const maxConcurrency = compileSetting(env, 'MaxConcurrency', def.MaxConcurrency, def.MaxConcurrencyPath);
  const toleratedCount = compileSetting(env, 'ToleratedFailureCount', def.ToleratedFailureCount, def.ToleratedFailureCountPath);
  const toleratedPercentage = compileSetting(env, 'ToleratedFailurePercentage', def.ToleratedFailurePercentage, def.ToleratedFailurePercentagePath, 'float');
  const reader = def.ItemReader;
  const readerParameters = reader ? compileTemplate(env, 'ItemReader.Parameters', jsonata ? reader.Arguments : reader.Parameters) : undefined;
  const batcher = def.ItemBatcher;
  const batchSize = batcher ? compileSetting(env, 'ItemBatcher.MaxItemsPerBatch', batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath) : undefined;
  const batchBytes = batcher ? compileSetting(env, 'ItemBatcher.MaxInputBytesPerBatch', batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath) : undefined;
  const batchInput = batcher ? compileTemplate(env, 'ItemBatcher.BatchInput', batcher.BatchInput) : undefined;
  const writer = distributed ? compileResultWriter(env, def.ResultWriter) : undefined;
  const policy = new ErrorPolicy(env, def.Retry, def.Catch);
  const processorDef = def.ItemProcessor ?? def.Iterator;
  const processorType: WorkflowType = processorDef?.ProcessorConfig?.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const expressChildren = distributed && processorType === 'EXPRESS';
  // A child execution's state machine is the ItemProcessor on its own (in the Map's query language).
  const childDefinition = processorDef
    ? JSON.stringify({ ...(env.language === 'JSONata' ? { QueryLanguage: 'JSONata' } : {}), ...Object.fromEntries(Object.entries(processorDef).filter(([key]) => key !== 'ProcessorConfig')) })
    : '{}';

  const readItems = (run: StateRun, effective: JsonValue): MaybePromise<JsonValue[]> => {
    if (reader) {
      const exec = run.frame.exec;
      const readItemsFn = exec.runner.readItems;
      if (!readItemsFn) throw new StateFailure(StatesErrors.ItemReaderFailed, `${run.name}: this host cannot read items for ${reader.Resource}`);
      const parameters = readerParameters ? (jsonata ? readerParameters(run.statesScope()) : readerParameters(run.at(effective))) : {};
      return andThen(parameters, async (resolved) => {
        const { signal, release } = run.frame.scope.signal();
        try {
          let all = await readItemsFn.call(exec.runner, { resource: reader.Resource, parameters: resolved, readerConfig: (reader.ReaderConfig ?? {}) as JsonValue, signal });
          const limit = reader.ReaderConfig?.MaxItems;
          if (typeof limit === 'number' && limit > 0) all = all.slice(0, limit);
          return all;
        } catch (error) {
          if (error instanceof StateFailure || error instanceof Cancelled) throw error;
          throw new StateFailure(StatesErrors.ItemReaderFailed, error instanceof Error ? error.message : String(error));
        } finally {
          release();
        }
      });
    }
    if (items) {
      return andThen(items(run.statesScope()), (value) => {
        if (!Array.isArray(value)) {
          throw runtimeError(
            `The JSONata expression '${itemsExpression}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${typeName(value)}' for value: ${JSON.stringify(value)}`,
            StatesErrors.QueryEvaluationError,
            'Items',
          );
        }
        return value;
      });
    }
    const value = jsonata ? (def.Items !== undefined ? (def.Items as JsonValue) : run.rawInput) : itemsPath(effective, run);
    if (!Array.isArray(value)) throw runtimeError(`Map state input must be an array but was: ${JSON.stringify(value)}`, jsonata ? StatesErrors.QueryEvaluationError : StatesErrors.Runtime);
    return value;
  };

  /** The iteration inputs: ItemSelector applied to each item, then batched when an ItemBatcher is set. */
  const iterationInputs = (run: StateRun, effective: JsonValue, list: JsonValue[]): MaybePromise<JsonValue[]> => {
    const base = selector ? (run.context as JsonObject) : undefined;
    const selected: MaybePromise<JsonValue>[] = selector
      ? list.map((value, index) => {
          const state = base as JsonObject;
          const context: JsonObject = { Execution: state.Execution, State: state.State, StateMachine: state.StateMachine, Map: { Item: { Index: index, Value: value } } };
          const scope: EvalScope = jsonata
            ? { input: run.rawInput, context, variables: run.frame.vars, states: { input: run.rawInput, context } }
            : { input: effective, context, variables: run.frame.vars };
          return selector(scope);
        })
      : list;
    const settle = selected.some((value) => value instanceof Promise) ? Promise.all(selected) : (selected as JsonValue[]);
    if (!batcher) return settle;
    return andThen(settle, (values) =>
      andThen(batchSize ? batchSize(run, effective) : undefined, (size) =>
        andThen(batchBytes ? batchBytes(run, effective) : undefined, (bytes) =>
          andThen(batchInput ? (jsonata ? batchInput(run.statesScope()) : batchInput(run.at(effective))) : undefined, (extra) =>
            batchItems(values, { maxItems: size, maxBytes: bytes, batchInput: extra }),
          ),
        ),
      ),
    );
  };

  // In AWS's order (recorded histories): MaxConcurrency and the items before MapStateStarted,
  // the tolerated failure settings after it.
  const attempt = (frame: Frame, run: StateRun, effective: JsonValue): MaybePromise<JsonValue> =>
    andThen(maxConcurrency(run, effective), (limit) => {
      if (limit !== undefined && limit < 0) throw runtimeError(`Expected non-negative integer for MaxConcurrency, got '${limit}' instead.`);
      return andThen(readItems(run, effective), (list) =>
        andThen(iterationInputs(run, effective, list), (inputs) => {
          frame.exec.emit(frame, 'MapStateStarted', 'mapStateStartedEventDetails', { length: inputs.length });
          return andThen(toleratedCount(run, effective), (count) =>
            andThen(toleratedPercentage(run, effective), (percentage) => {
              if (count !== undefined && count < 0) throw runtimeError('ToleratedFailureCount cannot be negative.');
              if (percentage !== undefined && (percentage < 0 || percentage > 100)) throw runtimeError('ToleratedFailurePercentage must be between 0 and 100.');
              return iterate(frame, run, effective, inputs, limit ?? 0, count, percentage, list.length);
            }),
          );
        }),
      );
    });

  /**
   * The Map Run's children as ResultWriter writes them: the host's records
   * (with AWS's metadata), else what the engine saw; an item no child ran is
   * PENDING, and a child still running when the Map Run failed is being aborted.
   */
  const collect = (mapRun: MapRunHandle | undefined, inputs: JsonValue[], outcomes: (ChildOutcome | undefined)[]): MapRunRecord[] => {
    const byIndex = new Map((mapRun?.records?.() ?? []).map((record) => [record.index, record]));
    return inputs.map((input, index): MapRunRecord => {
      const items = batcher && input !== null && typeof input === 'object' && !Array.isArray(input) && Array.isArray(input.Items) ? input.Items.length : 1;
      const known = byIndex.get(index);
      if (known?.status === 'RUNNING') return { ...known, status: 'ABORTED', record: { ...known.record, Status: 'ABORTED' } };
      if (known) return known;
      const outcome = outcomes[index];
      const text = JSON.stringify(input);
      if (!outcome) return { index, status: 'PENDING', record: { Input: text, InputDetails: { Included: true }, Status: 'PENDING' }, items };
      const record: JsonObject = {};
      if (outcome.cause !== undefined) record.Cause = outcome.cause;
      if (outcome.error !== undefined) record.Error = outcome.error;
      Object.assign(record, { Input: text, InputDetails: { Included: true } });
      if (outcome.status === 'SUCCEEDED') record.Output = JSON.stringify(outcome.output ?? null);
      Object.assign(record, { OutputDetails: { Included: true }, Status: outcome.status });
      return { index, status: outcome.status, record, output: outcome.output, items };
    });
  };

  /** ResultWriter: the preview of the formatted results, or the export (its files written by the host) and `{ MapRunArn, ResultWriterDetails }`. */
  const writeResults = (run: StateRun, effective: JsonValue, mapRun: MapRunHandle | undefined, mapRunArn: string, records: MapRunRecord[]): MaybePromise<JsonValue> => {
    const config = writer as NonNullable<typeof writer>;
    if (!config.exports) return previewResults(records, config.transformation);
    const parameters = config.parameters ? (jsonata ? config.parameters(run.statesScope()) : config.parameters(run.at(effective))) : {};
    return andThen(parameters, async (resolved) => {
      const target = writerTarget(resolved);
      if ('error' in target) throw new StateFailure(target.error, target.cause);
      const exec = run.frame.exec;
      const write = exec.runner.writeResults;
      if (!write) throw new StateFailure(StatesErrors.ResultWriterFailed, `${run.name}: this host cannot write results for ${config.resource}`);
      const { signal, release } = run.frame.scope.signal();
      try {
        const details = await write.call(exec.runner, {
          resource: config.resource as string,
          bucket: target.bucket,
          prefix: target.prefix,
          mapRunArn,
          outputType: config.outputType,
          files: resultFiles(records, config.transformation),
          signal,
        });
        const written = records.filter((record) => record.status !== 'PENDING');
        mapRun?.resultsWritten?.(written.length, written.reduce((sum, record) => sum + record.items, 0));
        return { MapRunArn: mapRunArn, ResultWriterDetails: details };
      } catch (error) {
        if (error instanceof StateFailure || error instanceof Cancelled) throw error;
        if (error instanceof TaskFailure) throw new StateFailure(error.error, error.cause ?? '');
        throw new StateFailure(StatesErrors.ResultWriterFailed, error instanceof Error ? error.message : String(error));
      } finally {
        release();
      }
    });
  };

  const iterate = (frame: Frame, run: StateRun, effective: JsonValue, inputs: JsonValue[], limit: number, count: number | undefined, percentage: number | undefined, items: number): MaybePromise<JsonValue> => {
    const exec = frame.exec;
    const start = processor.start() as CompiledState;
    const startedId = frame.last;
    let mapRun: MapRunHandle | undefined;
    let mapRunArn = '';
    if (distributed) {
      // The unqualified machine (a version's or alias's executions run its revision): `<machine>/<label>` names the Map Run and its children.
      const machineArn = /^arn:[^:]+:states:[^:]+:[^:]+:stateMachine:[^:]+/.exec(exec.options.stateMachineArn)?.[0] ?? exec.options.stateMachineArn;
      const label = def.Label ?? name;
      mapRunArn = `${machineArn.replace(':stateMachine:', ':mapRun:')}/${label}:${exec.options.name}-${startedId}`;
      if (frame.scope.reason) throw frame.scope.reason;
      // A start the parent replays from its own history is a Map Run carrying on (after a restart), whose ended children keep their outcomes.
      const resumed = exec.replayOf(frame)?.peek(frame.last, ['MapRunStarted', 'MapRunRedriven']) !== undefined;
      const host = exec.options.mapRuns;
      const begin = (): MapRunHandle | undefined =>
        host?.start({
          mapRunArn,
          resumed,
          executionArn: exec.options.executionArn,
          stateName: name,
          label,
          childMachineArn: `${machineArn}/${label}`,
          childType: processorType,
          roleArn: exec.options.roleArn,
          itemCount: inputs.length,
          items,
          maxConcurrency: limit,
          toleratedFailureCount: count ?? 0,
          toleratedFailurePercentage: percentage ?? 0,
          definition: childDefinition,
        });
      try {
        mapRun = begin();
      } catch (error) {
        // The host refuses the start as AWS does (a Map Run redriven 1,000 times): the Map state fails.
        if (error instanceof TaskFailure) throw new StateFailure(error.error, error.cause ?? '');
        throw error;
      }
      // A Map Run that starts anew where one ended without being redriven gets an ARN of its own (see MapRunHandle.arn).
      if (mapRun?.arn) mapRunArn = mapRun.arn;
      const redriveCount = mapRun?.redriveCount ?? 0;
      if (redriveCount > 0) exec.emit(frame, 'MapRunRedriven', 'mapRunRedrivenEventDetails', { mapRunArn, redriveCount });
      else exec.emit(frame, 'MapRunStarted', 'mapRunStartedEventDetails', { mapRunArn });
    }
    const runStartedId = frame.last;
    // How AWS links the events (recorded histories): an iteration starts after the last
    // state event of the iteration that finished before it (not after its MapIteration*
    // event); MapStateSucceeded follows the last MapIterationSucceeded, and MapStateFailed
    // the failing iteration's last state event. `chain` is that pointer.
    let chain = frame.last;
    let lastCompletion: number | undefined;
    const scope = new CancelScope(frame.scope);
    const results: JsonValue[] = new Array<JsonValue>(inputs.length);
    // How each child ended, for a ResultWriter on a host that keeps no records of its own.
    const outcomes: (ChildOutcome | undefined)[] = new Array<ChildOutcome | undefined>(inputs.length);
    let tolerant = count !== undefined || percentage !== undefined;
    let failures = 0;
    const exceeded = (): boolean => {
      if (mapRun) {
        // UpdateMapRun may have changed the thresholds since the Map Run started.
        const settings = mapRun.settings();
        count = settings.toleratedFailureCount;
        percentage = settings.toleratedFailurePercentage;
        tolerant = count !== undefined || percentage !== undefined;
      }
      if (!tolerant) return failures > 0;
      if (count !== undefined && failures > count) return percentage === undefined || (failures / inputs.length) * 100 > percentage;
      if (percentage !== undefined && (failures / inputs.length) * 100 > percentage) return count === undefined || failures > count;
      return false;
    };

    // Iterations still running, which a failing sibling leaves MapIterationAborted.
    const inFlight = new Map<number, Frame>();
    /** An item whose child ended in an earlier attempt of the Map Run and keeps its outcome: counted, not run again. */
    const keep = (index: number, kept: ChildOutcome): void => {
      outcomes[index] = kept;
      if (kept.status === 'SUCCEEDED') {
        results[index] = kept.output ?? null;
        return;
      }
      failures += 1;
      results[index] = errorOutput(new StateFailure(kept.error ?? StatesErrors.Runtime, kept.cause ?? '')) as JsonValue;
      if (exceeded()) throw new StateFailure(StatesErrors.ExceedToleratedFailureThreshold, 'The specified tolerated failure threshold was exceeded');
    };

    const runOne = (index: number): MaybePromise<void> => {
      const kept = mapRun?.kept(index);
      if (kept) return keep(index, kept);
      // A Map Run's child has a scope of its own, which the engine cancels when it ends the child itself:
      // at Express's five minutes, at a Standard child's 25,000 events.
      const childScope = distributed ? new CancelScope(scope) : scope;
      const child = frame.child(childScope, chain, { Index: index, Value: inputs[index] });
      // A Map Run's child execution (with a host that keeps them) has a history of its own; without one, its events go nowhere.
      const childExecution = mapRun ? startChild(child, mapRun, index, inputs[index]) : undefined;
      if (childExecution) {
        childExecution.scope = childScope;
        if (processorType === 'STANDARD') childExecution.historyLimit = HISTORY_EVENT_LIMIT;
      }
      if (distributed && !childExecution) child.hidden = true;
      if (!childExecution) exec.emit(child, 'MapIterationStarted', 'mapIterationStartedEventDetails', { name, index }, { index });
      // An EXPRESS child execution is an Express execution: AWS times it out five minutes after its start
      // (States.Timeout, TIMED_OUT in DescribeMapRun), a failure of the Map Run like any other. The limit is
      // the service's own, so a virtual clock never jumps to it (Clock.limit), as for a top-level Express one.
      let timedOut = false;
      const limitTimer = expressChildren ? new AbortController() : undefined;
      if (limitTimer) {
        const startedAt = childExecution ? Date.parse(childExecution.contextExecution.StartTime) : exec.clock.now();
        exec.limit(Math.max(0, startedAt + EXPRESS_MAX_SECONDS * 1000 - exec.clock.now()), limitTimer.signal).then(
          () => {
            timedOut = true;
            childScope.cancel(new Cancelled('timed-out'));
          },
          () => {},
        );
      }
      const release = (): void => {
        limitTimer?.abort();
        if (childScope !== scope) childScope.dispose();
      };
      const onError = (thrown: unknown): void => {
        release();
        inFlight.delete(index);
        // The engine ended the child itself (not its Map Run's end): its five minutes passed, it timed out;
        // its history is full, it failed.
        let error = thrown;
        if (!scope.reason && timedOut) error = new StateFailure(StatesErrors.Timeout, executionTimedOutCause(EXPRESS_MAX_SECONDS));
        else if (!scope.reason && childExecution?.overLimit) error = new StateFailure(StatesErrors.Runtime, HISTORY_LIMIT_CAUSE);
        const status = timedOut && error !== thrown ? 'TIMED_OUT' : 'FAILED';
        if (error instanceof Cancelled) {
          if (childExecution) endChild(child, childExecution, { status: 'ABORTED' });
          throw error;
        }
        const failure = error instanceof StateFailure ? error : run.fail(error);
        if (failure instanceof Cancelled) {
          if (childExecution) endChild(child, childExecution, { status: 'ABORTED' });
          throw failure;
        }
        chain = child.last;
        outcomes[index] = { status, error: failure.error, cause: failure.cause };
        if (childExecution) endChild(child, childExecution, { status, error: failure.error, cause: failure.cause });
        // A child that timed out has its scope cancelled: its end is written all the same.
        else if (status === 'TIMED_OUT') exec.recordEnd(child, 'MapIterationFailed', 'mapIterationFailedEventDetails', { name, index });
        else exec.emit(child, 'MapIterationFailed', 'mapIterationFailedEventDetails', { name, index }, { index });
        failures += 1;
        results[index] = errorOutput(failure) as JsonValue;
        if (exceeded()) {
          if (tolerant || distributed) throw new StateFailure(StatesErrors.ExceedToleratedFailureThreshold, 'The specified tolerated failure threshold was exceeded');
          throw failure;
        }
      };
      let output: MaybePromise<JsonValue>;
      try {
        output = runChain(child, start, inputs[index]);
      } catch (error) {
        onError(error);
        return undefined;
      }
      const succeeded = (value: JsonValue): void => {
        release();
        inFlight.delete(index);
        results[index] = value;
        outcomes[index] = { status: 'SUCCEEDED', output: value };
        chain = child.last;
        if (childExecution) endChild(child, childExecution, { status: 'SUCCEEDED', output: value });
        else lastCompletion = exec.emit(child, 'MapIterationSucceeded', 'mapIterationSucceededEventDetails', { name, index }, { index });
      };
      if (output instanceof Promise) {
        inFlight.set(index, child);
        return output.then(succeeded, onError);
      }
      succeeded(output);
      return undefined;
    };

    /** The Map Run ends failed (or aborted, when the execution stops): its MapRunFailed, then the failure goes up. */
    const endFailed = (error: unknown): never => {
      const failure = run.fail(error);
      if (failure instanceof Cancelled) {
        mapRun?.ended('ABORTED');
        throw failure;
      }
      mapRun?.ended('FAILED');
      frame.last = distributed ? runStartedId : chain;
      fromIterations.add(failure);
      // MapStateFailed itself is written once the failure is not retried (see `run`).
      if (distributed) exec.emit(frame, 'MapRunFailed', 'mapRunFailedEventDetails', { error: failure.error, cause: failure.cause });
      throw failure;
    };
    const failed = (error: unknown): MaybePromise<never> => {
      const failure = run.fail(error);
      if (failure instanceof Cancelled) return endFailed(failure);
      for (const [index, child] of inFlight) {
        if (!child.sink) exec.emit(child, 'MapIterationAborted', 'mapIterationAbortedEventDetails', { name, index }, { index });
      }
      inFlight.clear();
      // The children still running are aborted (their own ExecutionAborted, as they see the cancel).
      scope.cancel(new Cancelled('sibling-failed'));
      scope.dispose();
      if (!writer?.exports) return endFailed(failure);
      // A failed Map Run's results are exported too (AWS: FAILED_n.json "to recover from failed executions",
      // PENDING_n.json for the items it did not start); the Map Run's own failure stands whatever the export does.
      let written: MaybePromise<JsonValue>;
      try {
        written = writeResults(run, effective, mapRun, mapRunArn, collect(mapRun, inputs, outcomes));
      } catch {
        return endFailed(failure);
      }
      return written instanceof Promise ? written.then(() => endFailed(failure), () => endFailed(failure)) : endFailed(failure);
    };
    const succeeded = (): MaybePromise<JsonValue> => {
      scope.dispose();
      if (!writer) return finish(results);
      // The results are written before the Map Run ends (AWS: a Map Run "might still be writing results" after its children).
      let value: MaybePromise<JsonValue>;
      try {
        value = writeResults(run, effective, mapRun, mapRunArn, collect(mapRun, inputs, outcomes));
      } catch (error) {
        return endFailed(error);
      }
      return value instanceof Promise ? value.then(finish, endFailed) : finish(value);
    };
    const finish = (value: JsonValue): MaybePromise<JsonValue> => {
      mapRun?.ended('SUCCEEDED');
      frame.last = distributed ? runStartedId : (lastCompletion ?? chain);
      // MapStateExited follows what the success events follow (for a Map Run, MapRunStarted: AWS's
      // recordings since November 2024; older ones show it after MapRunSucceeded).
      const before = frame.last;
      if (distributed) exec.emit(frame, 'MapRunSucceeded', 'mapRunSucceededEventDetails', undefined);
      exec.emit(frame, 'MapStateSucceeded', 'mapStateSucceededEventDetails', undefined);
      frame.last = before;
      frame.next = next();
      return pathTail ? finishJsonPath(run, 'Map', pathTail, value) : finishJsonata(run, 'Map', ataTail as NonNullable<typeof ataTail>, value);
    };
    let pending: MaybePromise<void>;
    try {
      pending = mapRun
        ? runPool(inputs.length, () => (mapRun as MapRunHandle).settings().maxConcurrency, runOne, (wake) => (mapRun as MapRunHandle).onSettingsChange?.(wake))
        : runPool(inputs.length, limit, runOne);
    } catch (error) {
      return failed(error);
    }
    return pending instanceof Promise ? pending.then(succeeded, failed) : succeeded();
  };

  return {
    name,
    run(frame: Frame, input: JsonValue): MaybePromise<JsonValue> {
      const run = enter(frame, 'Map', name, input);
      const effective = inputPath(input, run);
      return policy.run(
        run,
        'Map',
        env.language,
        () => attempt(frame, run, effective),
        // A States.Runtime error of the Map's own settings ends the execution with no MapStateFailed, as on AWS.
        (failure) => {
          if (fromIterations.has(failure) || failure.error !== StatesErrors.Runtime) frame.exec.emit(frame, 'MapStateFailed', 'mapStateFailedEventDetails', undefined);
        },
      );
    },
  };
}
