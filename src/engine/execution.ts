/**
 * One running execution: the event log, the threads (frames) that walk the
 * states, cancellation, StopExecution, the execution timeout, and replay of a
 * history prefix on resume.
 *
 * Speed: a chain of states that never awaits (Pass, Choice, Succeed, Fail, or
 * anything whose expressions are synchronous) runs in a plain loop with no
 * promise per state; only a state that really awaits turns the rest of its
 * chain asynchronous. Such a loop still gives the event loop back every
 * SLICE_MS, so a Pass/Choice loop cannot starve its host.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import type { JsonObject, JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import type { EvalScope } from './expr.js';
import { Cancelled, StateFailure, toFailure } from './failure.js';
import { Replay, type ReplayMatch } from './replay.js';
import { HISTORY_EVENT_LIMIT } from '../asl/limits.js';
import type { Clock, ExecutionOptions, ExecutionResult, MapRunChild, TaskRunner } from './types.js';
import { StatesErrors } from '../asl/errors.js';
import { defer, TurnBudget } from './turns.js';

export interface CompiledState {
  readonly name: string;
  /** Runs the state on `input`, sets `frame.next`, returns (or resolves to) the state's output. */
  run(frame: Frame, input: JsonValue): JsonValue | Promise<JsonValue>;
}

/** A promise, or a state's Deferred output (which any consumer but the top-level chain takes as one, through its `then`). */
export function isPromise<T>(value: unknown): value is Promise<T> {
  return value instanceof Promise || value instanceof Deferred;
}

/** A tree of cancellation: stopping the execution, or a Map/Parallel giving up, cancels everything below it. */
export class CancelScope {
  reason: Cancelled | undefined;
  private children: Set<CancelScope> | undefined;
  private listeners: Set<(reason: Cancelled) => void> | undefined;

  constructor(readonly parent?: CancelScope) {
    if (parent) {
      if (parent.reason) this.reason = parent.reason;
      else (parent.children ??= new Set()).add(this);
    }
  }

  cancel(reason: Cancelled): void {
    if (this.reason) return;
    this.reason = reason;
    if (this.listeners) for (const listener of this.listeners) listener(reason);
    if (this.children) for (const child of this.children) child.cancel(reason);
    this.listeners = undefined;
    this.children = undefined;
  }

  /** Detaches a finished scope from its parent so long loops do not accumulate scopes. */
  dispose(): void {
    this.parent?.children?.delete(this);
  }

  onCancel(listener: (reason: Cancelled) => void): () => void {
    if (this.reason) {
      listener(this.reason);
      return () => {};
    }
    (this.listeners ??= new Set()).add(listener);
    return () => this.listeners?.delete(listener);
  }

  /** An AbortSignal that fires when this scope is cancelled, plus a release to call when done with it. */
  signal(): { signal: AbortSignal; release(): void; controller: AbortController } {
    const controller = new AbortController();
    const release = this.onCancel((reason) => controller.abort(reason));
    return { signal: controller.signal, release, controller };
  }

  throwIfCancelled(): void {
    if (this.reason) throw this.reason;
  }
}

export interface MapItemContext {
  Index: number;
  Value: JsonValue;
}

/** A thread of execution: the top level, one Parallel branch, or one Map iteration. */
export class Frame {
  /** Set by each state's run: the state to go to, or null at the end of this chain. */
  next: CompiledState | null = null;
  /** The state being run (set on entering), to word errors that escape it. */
  current: StateRun | null = null;
  /** The per-state record this thread reuses (see StateRun.reset). */
  run: StateRun | undefined = undefined;
  /**
   * A Distributed Map's iteration: on AWS it is a child execution of a Map Run,
   * and the parent's history shows none of its events, so they are not recorded.
   */
  hidden = false;
  /**
   * A Distributed Map's iteration whose host keeps Map Runs: the thread is a
   * child execution, its events go to the child's own history (ids from 1).
   */
  sink: ChildExecution | undefined = undefined;

  constructor(
    readonly exec: Execution,
    public vars: Record<string, JsonValue>,
    readonly scope: CancelScope,
    /** Id of this thread's previous event (previousEventId of the next one). */
    public last: number,
    readonly mapItem?: MapItemContext,
  ) {}

  /** A child thread: sees this thread's variables, but what it assigns stays its own. */
  child(scope: CancelScope, last: number, mapItem?: MapItemContext): Frame {
    // `$$.Map.Item` is the ItemSelector's (see map.ts); the iteration's own states do not see it, as on AWS.
    let vars = this.vars;
    for (const _ in vars) {
      vars = { ...this.vars };
      break;
    }
    const child = new Frame(this.exec, vars === this.vars ? {} : vars, scope, last, mapItem);
    child.hidden = this.hidden;
    child.sink = this.sink;
    return child;
  }
}

/**
 * How long a chain of synchronous states may hold the event loop before it
 * gives it back (one macrotask), so that a Pass/Choice loop never starves the
 * API or the other executions. The clock is read every few states only.
 */
const SLICE_MS = 10;
const STATES_PER_CHECK = 16;

/**
 * Runs states from `state` until the chain ends; synchronous until some state really awaits, or its slice is used up.
 * Then the chain is one promise for its whole remaining run, not one adopting the next per awaiting state.
 */
export function runChain(frame: Frame, state: CompiledState, input: JsonValue): JsonValue | Promise<JsonValue> {
  const output = loop(frame, state, input, undefined);
  return output instanceof Chain ? (output.promise as Promise<JsonValue>) : output;
}

/**
 * The same, ending in `done(output)` or `failed(error)` (at once when nothing
 * awaited): the top level needs no promise of its own to learn the end.
 */
export function driveChain(frame: Frame, state: CompiledState, input: JsonValue, done: (output: JsonValue) => void, failed: (error: unknown) => void): void {
  new Chain(frame, done, failed, true).run(state, input);
}

/**
 * A state's output that the state settles itself, later (a Task's answer).
 *
 * The top-level chain waits on it with no promise at all: the answer carries
 * the chain on from the callback that brought it, a promise, its executor and
 * resolvers, and a microtask sooner per Task (bench (d1)). That is safe there
 * because the top level is the execution's only thread while it waits, so
 * nothing of the same history can run in the microtask it skips.
 *
 * Every other consumer (a Parallel branch, a Map iteration, Retry/Catch, a
 * `then` in the state itself) gets a real promise through `then`, resolved
 * exactly when the state's own promise was before: concurrent threads of one
 * execution still interleave their events as AWS's recorded histories show.
 */
export class Deferred implements Promise<JsonValue> {
  private chain: Chain | undefined = undefined;
  private promise: Promise<JsonValue> | undefined = undefined;
  private resolvePromise: ((value: JsonValue | PromiseLike<JsonValue>) => void) | undefined = undefined;
  private rejectPromise: ((error: unknown) => void) | undefined = undefined;

  get [Symbol.toStringTag](): string {
    return 'Deferred';
  }

  resolve(value: JsonValue | Promise<JsonValue>): void {
    const chain = this.chain;
    if (chain !== undefined) {
      this.chain = undefined;
      if (isPromise<JsonValue>(value)) value.then(chain.resume, chain.reject);
      else chain.resume(value);
    } else if (this.resolvePromise !== undefined) this.resolvePromise(value);
    // Settled before anyone waits (a replayed or synchronous answer): a promise settled now, as the state's own was.
    else this.promise = new Promise<JsonValue>((resolve) => resolve(value));
  }

  /**
   * `later`: the waiting chain learns it on the next microtask, as from a
   * rejected promise. For a rejection raised synchronously inside something
   * else (a scope's cancellation), which must not run the chain's end inside it.
   */
  reject(error: unknown, later = false): void {
    const chain = this.chain;
    if (chain !== undefined) {
      this.chain = undefined;
      if (later) Promise.reject(error).then(undefined, chain.reject);
      else chain.reject(error);
    } else if (this.rejectPromise !== undefined) this.rejectPromise(error);
    else this.promise = Promise.reject(error);
  }

  /** The chain waits for the output: directly if it is the top level's and the output is still to come, else through the promise. */
  carryOn(chain: Chain): void {
    if (chain.direct && this.promise === undefined) this.chain = chain;
    else this.then(chain.resume, chain.reject);
  }

  then<A = JsonValue, B = never>(onFulfilled?: ((value: JsonValue) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.asPromise().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<JsonValue | B> {
    return this.asPromise().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<JsonValue> {
    return this.asPromise().finally(onFinally);
  }

  private asPromise(): Promise<JsonValue> {
    return (this.promise ??= new Promise<JsonValue>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    }));
  }
}

/**
 * A chain that awaits: each awaiting state's promise gets one `then(resume)`,
 * whose callback runs the next states in place. Nested adoption (a state's
 * continuation returning the next state's promise) cost two more microtasks
 * and a promise per awaiting state, and unwound level by level at the end.
 */
class Chain {
  promise: Promise<JsonValue> | undefined;

  constructor(
    readonly frame: Frame,
    private readonly done: (output: JsonValue) => void,
    private readonly failed: (error: unknown) => void,
    /** The top level's chain, the execution's only thread while it waits: a Deferred may carry it on in the settling callback itself (see Deferred). */
    readonly direct = false,
  ) {}

  /** A chain for runChain's caller, which awaits its promise. */
  static promised(frame: Frame): Chain {
    let chain!: Chain;
    const promise = new Promise<JsonValue>((resolve, reject) => (chain = new Chain(frame, resolve, reject)));
    chain.promise = promise;
    return chain;
  }

  run(state: CompiledState, input: JsonValue): void {
    let output: JsonValue | Chain;
    try {
      output = loop(this.frame, state, input, this);
    } catch (error) {
      this.failed(error);
      return;
    }
    if (!(output instanceof Chain)) this.end(output);
  }

  /** After a state that awaited: the rest of the chain, on a later turn once the execution has used up this one (see turns.ts). */
  readonly resume = (output: JsonValue): void => {
    const next = this.frame.next;
    if (next === null) this.end(output);
    else if (this.frame.exec.turns.spent()) defer(() => this.run(next, output));
    else this.run(next, output);
  };

  readonly reject = (error: unknown): void => {
    this.failed(wrap(this.frame, error));
  };

  private end(output: JsonValue): void {
    try {
      this.done(output);
    } catch (error) {
      // The top level's ending threw (a host's listener): it fails the execution as a failed state would.
      this.failed(error);
    }
  }
}

/** The synchronous run of a chain: its output, or, once a state awaits, the Chain (made now if need be) that carries on. */
function loop(frame: Frame, state: CompiledState, input: JsonValue, chain: Chain | undefined): JsonValue | Chain {
  const scope = frame.scope;
  let count = 0;
  let sliceEnd = 0;
  try {
    for (;;) {
      if (scope.reason) throw scope.reason;
      if (frame.exec.halted) throw frame.exec.halted;
      if (++count % STATES_PER_CHECK === 0) {
        const now = performance.now();
        if (sliceEnd === 0) sliceEnd = now + SLICE_MS;
        else if (now >= sliceEnd) {
          // Gives the event loop back (after I/O callbacks and timers), then carries on with `state`.
          const waiting = chain ?? Chain.promised(frame);
          defer(() => waiting.run(state, input));
          return waiting;
        }
      }
      const output = state.run(frame, input);
      if (output instanceof Deferred) {
        const waiting = chain ?? Chain.promised(frame);
        output.carryOn(waiting);
        return waiting;
      }
      if (isPromise<JsonValue>(output)) {
        const waiting = chain ?? Chain.promised(frame);
        output.then(waiting.resume, waiting.reject);
        return waiting;
      }
      const next = frame.next;
      if (next === null) return output;
      state = next;
      input = output;
    }
  } catch (error) {
    throw wrap(frame, error);
  }
}

function wrap(frame: Frame, error: unknown): unknown {
  if (error instanceof StateFailure || error instanceof Cancelled) return error;
  const current = frame.current;
  return current ? current.fail(error) : toFailure(error, '', 0);
}

/**
 * Task tokens are unguessable, as on AWS: an HMAC of (execution, the Task
 * state's entered event, attempt) under a secret key. Nothing can be read out
 * of one, so a host maps tokens to tasks itself; the same task gets the same
 * token again when its execution resumes under the same key, so a callback
 * handed out before a crash still lands. 256 bits, base64url behind a fixed
 * `AQ` (AWS's tokens start so too): a token is pasted as a command-line
 * argument, and one starting with `-` would be read as a flag.
 */
export const TASK_TOKEN_PATTERN = /^AQ[A-Za-z0-9_-]{43}$/;

/** The token form of 32 secret bytes (an HMAC or random). */
export function encodeTaskToken(bytes: Uint8Array): string {
  return `AQ${Buffer.from(bytes).toString('base64url')}`;
}

/** The key of executions started without one: random per process (nothing persists in-process runs). */
const PROCESS_TOKEN_KEY = randomBytes(32);

export function taskTokenFor(key: Uint8Array, executionArn: string, enteredEventId: number, attempt: number): string {
  return encodeTaskToken(createHmac('sha256', key).update(`${executionArn}\n${enteredEventId}\n${attempt}`).digest());
}

/** The events that end an execution: they may still be written as event 25,000. */
const ENDS = new Set<string>(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** AWS documents the failure (bp-history-limit), not its wording: this cause says what happened. */
export const HISTORY_LIMIT_CAUSE = `The execution reached the maximum number of events in its history (${HISTORY_EVENT_LIMIT}).`;

export interface ExecutionContextObject {
  Id: string;
  Input: JsonValue;
  Name: string;
  RoleArn: string;
  StartTime: string;
  RedriveCount: number;
}

/**
 * A child execution of a Map Run, written by the parent's engine: its own
 * history ids, context object (`$$.Execution` is the child's) and task tokens.
 */
export class ChildExecution {
  nextId = 1;
  readonly contextExecution: ExecutionContextObject;
  readonly contextStateMachine: { Id: string; Name: string };
  /** The child's own recorded history when it carries on (resumed or redriven), replayed as the top level replays its own. */
  readonly replay: Replay | null;
  /** The child's own cancel scope (its Map sets it), which the engine cancels when it ends the child itself. */
  scope: CancelScope | undefined;
  /** AWS bounds a Standard child's history as a top-level one's (25,000 events); an Express child has none. */
  historyLimit = Infinity;
  /** Set when the child reached its history limit: its Map fails it with States.Runtime (see map.ts). */
  overLimit = false;

  constructor(
    readonly host: MapRunChild,
    input: JsonValue,
    roleArn: string,
    machine: { Id: string; Name: string },
    startTime: string,
  ) {
    this.replay = host.resumeFrom && host.resumeFrom.length > 0 ? new Replay(host.resumeFrom) : null;
    if (this.replay) this.nextId = this.replay.maxId + 1;
    const recordedStart = this.replay?.first?.timestamp;
    this.contextExecution = {
      Id: host.executionArn,
      Input: input,
      Name: host.name,
      RoleArn: roleArn,
      StartTime: recordedStart ? new Date(recordedStart).toISOString() : startTime,
      RedriveCount: host.redriveCount ?? 0,
    };
    this.contextStateMachine = machine;
  }
}

export class Execution {
  readonly clock: Clock;
  readonly runner: TaskRunner;
  readonly root = new CancelScope();
  /** Set by ExecutionHandle.halt: thrown at the next transition of every thread (States.Runtime, which nothing catches). */
  halted: StateFailure | undefined;
  /** This execution's share of the current turn of the event loop. */
  readonly turns = new TurnBudget();
  readonly replay: Replay | null;
  /** `$$.Execution`, built when an expression or a runner first reads it (most executions never do). */
  get contextExecution(): ExecutionContextObject {
    const options = this.options;
    return (this.contextExecutionObject ??= {
      Id: options.executionArn,
      Input: options.input,
      Name: options.name,
      RoleArn: options.roleArn,
      StartTime: this.startTime ?? new Date(this.startMs).toISOString(),
      RedriveCount: options.redriveCount ?? 0,
    });
  }

  private contextExecutionObject: ExecutionContextObject | undefined;
  /** The start as given or recorded; else `startMs`, the clock's reading, formatted only if `$$.Execution` is read. */
  private readonly startTime: string | undefined;
  private readonly startMs: number = 0;
  readonly contextStateMachine: { Id: string; Name: string };
  /**
   * Id the next appended event gets. The events themselves are not kept:
   * each goes to `onEvent` (a host persists it) and is forgotten, so a long
   * execution's memory does not grow with its history.
   */
  private nextId = 1;
  /** Last id given to an event of a hidden thread (see Frame.hidden). */
  private hiddenId = 0;
  /** Timestamp (ms) of the event emitted or replayed last. */
  lastTimestamp = 0;
  private lastDateMs = NaN;
  private lastDate = new Date(0);
  /** The recorded event consumed by the last `emit` while replaying, null when it was appended. */
  replayed: HistoryEvent | null = null;
  private readonly onEvent: ((event: HistoryEvent) => void) | undefined;
  /**
   * The id no event but an ending may take. The quota is Standard workflows'
   * (an Express history goes to CloudWatch Logs and is bounded by the
   * execution's 5-minute duration instead): an Express execution has none.
   */
  private readonly historyLimit: number;
  readonly inspect: ExecutionOptions['inspect'];
  private finished: ExecutionResult | undefined;
  private settle!: (result: ExecutionResult) => void;
  readonly result: Promise<ExecutionResult>;

  constructor(readonly options: ExecutionOptions, clock: Clock) {
    this.clock = clock;
    this.runner = options.runner;
    this.onEvent = options.onEvent;
    this.historyLimit = options.type === 'EXPRESS' ? Infinity : HISTORY_EVENT_LIMIT;
    this.inspect = options.inspect;
    this.replay = options.resumeFrom && options.resumeFrom.length > 0 ? new Replay(options.resumeFrom) : null;
    if (this.replay) this.nextId = this.replay.maxId + 1;
    const started = this.replay?.first;
    this.startTime = options.startTime ?? (started?.timestamp ? new Date(started.timestamp).toISOString() : undefined);
    if (this.startTime === undefined) {
      // ExecutionStarted is appended at once with this same reading (see startExecution): one clock read, one instant.
      this.startMs = this.lastTimestamp = clock.now();
      this.stampLive = true;
    }
    this.contextStateMachine = { Id: options.stateMachineArn, Name: options.stateMachineName };
    this.result = new Promise((resolve) => (this.settle = resolve));
  }

  get done(): boolean {
    return this.finished !== undefined;
  }

  /**
   * JSON text of a payload for an event. A state's output is the next state's
   * input, the same object: its text is reused instead of serialised twice.
   * (Payloads are never mutated once produced.)
   */
  json(value: JsonValue): string {
    if (value === this.lastJsonValue && this.lastJson !== undefined) return this.lastJson;
    const text = JSON.stringify(value);
    this.lastJsonValue = value;
    this.lastJson = text;
    return text;
  }

  private lastJsonValue: JsonValue | undefined;
  private lastJson: string | undefined;

  /**
   * Appends an event for `frame` (or, while replaying, consumes the matching
   * recorded one: then `this.replayed` holds it) and returns its id.
   */
  emit(frame: Frame, type: HistoryEventType, key: string, details: Record<string, unknown> | undefined, match?: ReplayMatch, sameStep = false): number {
    if (frame.scope.reason) throw frame.scope.reason;
    return this.record(frame, type, key, details, match, sameStep);
  }

  /**
   * The time of an event being appended. `sameStep`: the caller follows the
   * previous event of this thread with no await in between (a Pass's exit
   * after its entry), so that event's reading of the clock stands for this
   * one too: reading the clock was a sixth of a Pass/Choice loop's time. A
   * replayed timestamp never stands for a new event.
   */
  private stampNow(sameStep: boolean): number {
    if (sameStep && this.stampLive) return this.lastTimestamp;
    this.stampLive = true;
    return (this.lastTimestamp = this.clock.now());
  }

  /** Whether lastTimestamp is a reading of the clock (not a replayed event's time). */
  private stampLive = false;

  private record(frame: Frame, type: HistoryEventType, key: string, details: Record<string, unknown> | undefined, match?: ReplayMatch, sameStep = false): number {
    if (frame.sink) return this.recordChild(frame, frame.sink, type, key, details, match, sameStep);
    if (frame.hidden) {
      // Not in this history; a distinct (negative) id still tells the thread's events and task tokens apart.
      this.replayed = null;
      this.stampNow(sameStep);
      frame.last = --this.hiddenId;
      return frame.last;
    }
    if (this.replay !== null && this.takeRecorded(this.replay, frame, type, match)) return frame.last;
    if (this.nextId === this.historyLimit && !ENDS.has(type)) {
      // AWS: event 25,000 may only be ExecutionSucceeded; anything else fails the execution there.
      this.root.cancel(new Cancelled('aborted'));
      this.finish({ status: 'FAILED', error: StatesErrors.Runtime, cause: HISTORY_LIMIT_CAUSE }, frame);
      throw new Cancelled('aborted');
    }
    const id = this.nextId++;
    const now = this.stampNow(sameStep);
    // Events of the same millisecond share one Date: far less garbage on fast chains.
    if (now !== this.lastDateMs) {
      this.lastDateMs = now;
      this.lastDate = new Date(now);
    }
    const event: Record<string, unknown> = { id, previousEventId: frame.last, timestamp: this.lastDate, type };
    if (details !== undefined) event[key] = details;
    frame.last = id;
    if (this.onEvent) {
      try {
        this.onEvent(event as unknown as HistoryEvent);
      } catch {
        // A failing listener is the host's problem; the execution and its history carry on.
      }
    }
    return id;
  }

  /** Consumes the recorded event this thread would emit next, if the prefix has it (then `replayed` holds it and `frame.last` is its id). */
  private takeRecorded(replay: Replay, frame: Frame, type: HistoryEventType, match: ReplayMatch | undefined): boolean {
    const recorded = replay.take(frame.last, type, match);
    this.replayed = recorded ?? null;
    if (!recorded) return false;
    frame.last = recorded.id as number;
    this.stampLive = false;
    this.lastTimestamp = recorded.timestamp ? new Date(recorded.timestamp).getTime() : this.clock.now();
    return true;
  }

  /** A terminal event, written even once the thread's scope is cancelled (a Map Run's aborted child still ends its history). */
  recordEnd(frame: Frame, type: HistoryEventType, key: string, details: Record<string, unknown> | undefined): number {
    return this.record(frame, type, key, details);
  }

  /** An event of a Map Run's child execution, in the child's own history. */
  private recordChild(frame: Frame, sink: ChildExecution, type: HistoryEventType, key: string, details: Record<string, unknown> | undefined, match: ReplayMatch | undefined, sameStep: boolean): number {
    if (sink.replay === null) this.replayed = null;
    else if (this.takeRecorded(sink.replay, frame, type, match)) return frame.last;
    if (sink.nextId === sink.historyLimit && !ENDS.has(type)) {
      // AWS: a Standard child past its 25,000 events "is considered as failed" (and counts towards the
      // tolerated failures): event 25,000 is its ExecutionFailed, written by its Map.
      sink.overLimit = true;
      sink.scope?.cancel(new Cancelled('aborted'));
      throw new Cancelled('aborted');
    }
    const now = this.stampNow(sameStep);
    const id = sink.nextId++;
    const event: Record<string, unknown> = { id, previousEventId: frame.last, timestamp: new Date(now), type };
    if (details !== undefined) event[key] = details;
    frame.last = id;
    try {
      sink.host.onEvent(event as unknown as HistoryEvent);
    } catch {
      // As for onEvent: the host's problem, the execution carries on.
    }
    return id;
  }

  /** The recorded prefix this thread replays from: a Map Run's child has its own (its history is its own). */
  replayOf(frame: Frame): Replay | null {
    return frame.sink ? frame.sink.replay : this.replay;
  }

  /** True while the recorded prefix still has an event following this thread's last one (so a wait already happened). */
  replaying(frame: Frame): boolean {
    const replay = this.replayOf(frame);
    return replay !== null && replay.hasAfter(frame.last);
  }

  /** A task token that is the same when the execution is resumed, so callbacks handed out before a crash still land. */
  taskToken(enteredEventId: number, attempt: number, executionArn = this.options.executionArn): string {
    return taskTokenFor(this.options.taskTokenKey ?? PROCESS_TOKEN_KEY, executionArn, enteredEventId, attempt);
  }

  /** The ARN of the execution a thread belongs to: a Map Run's child's own, else this one's. */
  executionArnOf(frame: Frame): string {
    return frame.sink ? frame.sink.host.executionArn : this.options.executionArn;
  }

  sleep(frame: Frame, ms: number): Promise<void> | undefined {
    if (ms <= 0 || this.replaying(frame)) return undefined;
    const { signal, release } = frame.scope.signal();
    return this.clock.sleep(ms, signal).then(
      () => {
        release();
        frame.scope.throwIfCancelled();
      },
      (error: unknown) => {
        release();
        throw frame.scope.reason ?? error;
      },
    );
  }

  deadline(ms: number, signal: AbortSignal): Promise<void> {
    return this.clock.deadline ? this.clock.deadline(ms, signal) : this.clock.sleep(ms, signal);
  }

  limit(ms: number, signal: AbortSignal): Promise<void> {
    return this.clock.limit ? this.clock.limit(ms, signal) : this.deadline(ms, signal);
  }

  finish(result: Omit<ExecutionResult, 'eventCount'>, frame: Frame): void {
    if (this.finished) return;
    const details: Record<string, unknown> = {};
    let type: HistoryEventType;
    let key: string;
    if (result.status === 'SUCCEEDED') {
      type = 'ExecutionSucceeded';
      key = 'executionSucceededEventDetails';
      details.output = this.json(result.output ?? null);
      details.outputDetails = { truncated: false };
    } else {
      type = result.status === 'FAILED' ? 'ExecutionFailed' : result.status === 'ABORTED' ? 'ExecutionAborted' : 'ExecutionTimedOut';
      key = result.status === 'FAILED' ? 'executionFailedEventDetails' : result.status === 'ABORTED' ? 'executionAbortedEventDetails' : 'executionTimedOutEventDetails';
      if (result.error !== undefined) details.error = result.error;
      if (result.cause !== undefined) details.cause = result.cause;
    }
    this.record(frame, type, key, details);
    this.finished = { ...result, eventCount: this.nextId - 1 };
    this.settle(this.finished);
  }

  /** Ends the execution because of a failure that escaped the top-level chain. */
  fail(error: unknown, frame: Frame): void {
    if (error instanceof Cancelled) return;
    const failure = error instanceof StateFailure ? error : new StateFailure(StatesErrors.Runtime, error instanceof Error ? error.message : String(error));
    this.finish({ status: 'FAILED', error: failure.error, cause: failure.cause }, frame);
  }
}

/** One run of one state: its entered event, times, and the context object built on demand. */
export class StateRun implements EvalScope {
  private ctx: JsonValue | undefined = undefined;
  input: JsonValue = null;
  retryCount = 0;
  retryable = false;
  taskToken: string | undefined = undefined;
  name = '';
  rawInput: JsonValue = null;
  enteredId = 0;
  /** previousEventId of the entered event. */
  enteredAfter = 0;
  enteredAt = 0;
  type = '';

  constructor(readonly frame: Frame) {}

  /**
   * A frame runs one state at a time, so it keeps one StateRun and resets it
   * on entering each state: no allocation per transition.
   */
  reset(type: string, name: string, rawInput: JsonValue, enteredId: number, enteredAfter: number, enteredAt: number, retryable: boolean): this {
    this.type = type;
    this.enteredAfter = enteredAfter;
    this.ctx = undefined;
    this.input = rawInput;
    this.retryCount = 0;
    this.retryable = retryable;
    this.taskToken = undefined;
    this.name = name;
    this.rawInput = rawInput;
    this.enteredId = enteredId;
    this.enteredAt = enteredAt;
    return this;
  }

  get variables(): Record<string, JsonValue> {
    return this.frame.vars;
  }

  get context(): JsonValue {
    if (this.ctx !== undefined) return this.ctx;
    const exec = this.frame.exec;
    const owner = this.frame.sink ?? exec;
    const ctx: JsonObject = {
      Execution: owner.contextExecution as unknown as JsonObject,
      // Only states that can retry (Task, Parallel, Map) show a RetryCount, as on AWS.
      State: this.retryable ? { EnteredTime: new Date(this.enteredAt).toISOString(), Name: this.name, RetryCount: this.retryCount } : { EnteredTime: new Date(this.enteredAt).toISOString(), Name: this.name },
      StateMachine: owner.contextStateMachine,
    };
    if (this.taskToken !== undefined) ctx.Task = { Token: this.taskToken };
    this.ctx = ctx;
    return ctx;
  }

  /**
   * What this state raised, in its final form (see toFailure). A JSONata
   * evaluation error is first recorded as AWS records it, an EvaluationFailed
   * event (its `location` the failing field) before the state's failure events.
   */
  fail(error: unknown): StateFailure | Cancelled {
    const failure = toFailure(error, this.name, this.enteredId);
    if (error instanceof StatesError && error.error === StatesErrors.QueryEvaluationError && failure instanceof StateFailure) {
      const frame = this.frame;
      // AWS links it to what the state's entry followed, except for a Wait, evaluated once entered.
      if (this.type !== 'Wait') frame.last = this.enteredAfter;
      const details: Record<string, unknown> = { error: failure.error, cause: failure.cause, state: this.name };
      if (error.location !== undefined) details.location = error.location;
      frame.exec.emit(frame, 'EvaluationFailed', 'evaluationFailedEventDetails', details);
    }
    return failure;
  }

  /** Forgets the built context (the retry count or task token changed). */
  resetContext(): void {
    this.ctx = undefined;
  }

  /** The run itself is the JSONPath scope: set the input and evaluate, no allocation. */
  at(input: JsonValue): this {
    this.input = input;
    return this;
  }

  /** `$states` for JSONata: input, context, and whatever this point of the state adds. */
  statesScope(extra?: { result?: JsonValue; errorOutput?: JsonValue }): EvalScope {
    return new StatesScope(this, extra);
  }
}

/**
 * A JSONata state's scope. The context object is built only if an expression
 * reads `$states.context` (most never do, and building it, an ISO timestamp
 * included, was a third of a JSONata loop's time).
 */
class StatesScope implements EvalScope {
  readonly input: JsonValue;
  readonly variables: Record<string, JsonValue>;
  readonly states: NonNullable<EvalScope['states']>;

  constructor(
    private readonly run: StateRun,
    extra: { result?: JsonValue; errorOutput?: JsonValue } | undefined,
  ) {
    this.input = run.rawInput;
    this.variables = run.frame.vars;
    const states: NonNullable<EvalScope['states']> = { input: run.rawInput };
    if (extra?.result !== undefined) states.result = extra.result;
    if (extra?.errorOutput !== undefined) states.errorOutput = extra.errorOutput;
    this.states = states;
  }

  get context(): JsonValue {
    return this.run.context;
  }
}
