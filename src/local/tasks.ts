/**
 * The TaskRunner the emulator gives the engine. A task is served, in order, by
 * a mocked response (MockConfigFile test case), the project's own Lambda
 * handler, a nested execution on this emulator (`states:startExecution`), or
 * fails with a cause that says how to map it. `.waitForTaskToken` tasks then
 * wait for SendTaskSuccess/Failure.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JsonValue } from '../asl/types.js';
import { TaskFailure, type ResultWriteRequest, type TaskRequest, type TaskRunner } from '../engine/types.js';
import type { FunctionConfig } from '../project/config.js';
import type { LambdaHost } from './lambda.js';
import type { MockFile } from './mocks.js';
import { readItems, type ItemReadRequest } from './items.js';
import { writeResultFiles } from './result-files.js';
import type { ExecutionRow } from './store.js';
import type { TokenBroker } from './tokens.js';
import { StatesErrors } from '../asl/errors.js';
import { FileProblemError } from '../ui/errors.js';

/**
 * Reads deliv.yaml or the MockConfigFile for a task. When one is broken the
 * task fails as the emulator's problem, not the workflow's: States.Runtime
 * (which no Retry or Catch of the workflow takes), its cause the file:line
 * and what to do.
 */
function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FileProblemError) throw new TaskFailure(StatesErrors.Runtime, error.withHint);
    throw error;
  }
}

export interface NestedExecutions {
  /** Starts a child execution on this emulator (StartExecution semantics). */
  start(request: { stateMachineArn: string; input: JsonValue | string | undefined; name?: string; parentArn: string }): ExecutionRow;
  waitFor(arn: string, signal: AbortSignal): Promise<ExecutionRow>;
  /** Stops a child whose parent task was stopped or timed out, as Step Functions does for `.sync`. */
  stop(arn: string): void;
}

export interface TaskEnvironment {
  root: string;
  functions(): Record<string, FunctionConfig>;
  mocks: MockFile;
  lambda: LambdaHost;
  tokens: TokenBroker;
  nested: NestedExecutions;
  /** Activity tasks wait here for a worker (GetActivityTask); absent where nothing can poll (deliv test). */
  activities?: { schedule(activityArn: string, request: TaskRequest): Promise<JsonValue>; exists(activityArn: string): boolean };
  /** The machine name and mock test case an execution runs under. */
  executionInfo(executionArn: string): { machineName: string; testCase?: string } | undefined;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::([^:]+))?$/;
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:]+$/;

export class LocalTaskRunner implements TaskRunner {
  private readonly invocations = new Map<string, number>();

  constructor(private readonly env: TaskEnvironment) {}

  /** Resource calls (handlers, nested starts) under way: a shutdown waits for them to return. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private draining = false;

  /**
   * Shutdown: from now on no task starts (it runs after the restart, as it
   * never began); resolves once the calls under way have returned, so their
   * results are recorded before the process exits, or after `ms` at most.
   */
  async drain(ms: number): Promise<void> {
    this.draining = true;
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  private track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const forget = () => this.inFlight.delete(call);
    call.then(forget, forget);
    return call;
  }

  async run(request: TaskRequest): Promise<JsonValue> {
    if (this.draining) return new Promise<JsonValue>(() => undefined);
    const info = configured(() => this.env.executionInfo(request.executionArn));
    // A mocked callback task answers at once, as in Step Functions Local.
    const mocked = info && configured(() => this.env.mocks.lookup(info.machineName, info.testCase, request.stateName, this.nextInvocation(request)));
    if (mocked) {
      // A MockConfigFile mocks the task's final result only: its submit call is taken as accepted, with no answer of its own.
      if (request.pattern !== 'request-response') request.submitted({});
      // A mocked activity stands for a worker that took the task (ActivityStarted).
      request.started?.();
      if (mocked.kind === 'throw') throw mocked.failure;
      return mocked.value;
    }
    if (request.pattern !== 'waitForTaskToken') return this.track(this.perform(request, info?.machineName));
    // The token is live before the resource runs, as on AWS: a handler may answer it
    // (SendTaskSuccess through the SDK) before it returns.
    const ran = this.env.tokens.resourceRan(request);
    const answer = this.env.tokens.wait(request);
    answer.catch(() => undefined); // an early SendTaskFailure is delivered below, not reported as unhandled
    if (ran) return answer;
    try {
      request.submitted(await this.track(this.perform(request, info?.machineName)));
      this.env.tokens.resourceReturned(request);
    } catch (error) {
      this.env.tokens.withdraw(request);
      throw error;
    }
    return answer;
  }

  readItems(request: ItemReadRequest): Promise<JsonValue[]> {
    return readItems(this.env.root, request);
  }

  writeResults(request: ResultWriteRequest): Promise<JsonObject> {
    return Promise.resolve().then(() => writeResultFiles(this.env.root, request));
  }

  private async perform(request: TaskRequest, machineName: string | undefined): Promise<JsonValue> {
    const base = request.baseResource;
    const functionMatch = FUNCTION_ARN.exec(base);
    if (functionMatch) {
      return this.invokeFunction(functionMatch[1], functionMatch[2], request.parameters, request, 'payload');
    }
    if (base === LAMBDA_INVOKE) {
      const parameters = (request.parameters ?? {}) as { FunctionName?: unknown; Payload?: JsonValue; Qualifier?: string };
      const { name, qualifier } = functionName(parameters.FunctionName);
      return this.invokeFunction(name, parameters.Qualifier ?? qualifier, parameters.Payload ?? {}, request, 'envelope');
    }
    if (base === START_EXECUTION) return this.startExecution(request);
    if (ACTIVITY_ARN.test(base) && this.env.activities) {
      if (!this.env.activities.exists(base)) throw new TaskFailure(StatesErrors.Runtime, `Activity ${base} does not exist: create it (aws stepfunctions create-activity --name ${base.split(':').pop()}) or mock state ${request.stateName}`);
      return this.env.activities.schedule(base, request);
    }
    throw unserved(request, machineName);
  }

  private nextInvocation(request: TaskRequest): number {
    const context = request.context as { Map?: { Item?: { Index?: number } } } | null;
    const key = `${request.executionArn}|${request.stateName}|${context?.Map?.Item?.Index ?? ''}`;
    const count = this.invocations.get(key) ?? 0;
    this.invocations.set(key, count + 1);
    if (this.invocations.size > 100_000) this.invocations.clear();
    return count;
  }

  private async invokeFunction(name: string, qualifier: string | undefined, payload: JsonValue, request: TaskRequest, shape: 'payload' | 'envelope'): Promise<JsonValue> {
    const functions = configured(() => this.env.functions());
    const config = Object.hasOwn(functions, name) ? functions[name] : undefined;
    if (!config) {
      throw new TaskFailure(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${name} (state ${request.stateName}). Map it in deliv.yaml under functions.${name}.handler, or mock state ${request.stateName} in the mocks file (test case Default).`,
      );
    }
    const result = await this.env.lambda.invoke(name, config, payload, request.signal, qualifier ?? '$LATEST');
    if (shape === 'payload') return result;
    const requestId = crypto.randomUUID();
    return {
      ExecutedVersion: qualifier && /^\d+$/.test(qualifier) ? qualifier : '$LATEST',
      Payload: result,
      SdkHttpMetadata: {
        AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId], 'Content-Type': ['application/json'] },
        HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId, 'Content-Type': 'application/json' },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  }

  private async startExecution(request: TaskRequest): Promise<JsonValue> {
    const parameters = (request.parameters ?? {}) as { StateMachineArn?: string; Input?: JsonValue; Name?: string };
    if (typeof parameters.StateMachineArn !== 'string') {
      throw new TaskFailure(StatesErrors.Runtime, 'states:startExecution needs a StateMachineArn parameter');
    }
    let child: ExecutionRow;
    try {
      // Without a Name, one derived from the task's entry: a task replayed after a crash finds its child again.
      const name = parameters.Name ?? childName(request);
      child = this.env.nested.start({ stateMachineArn: parameters.StateMachineArn, input: parameters.Input, name, parentArn: request.executionArn });
    } catch (error) {
      const name = (error as Error).name;
      throw new TaskFailure(`StepFunctions.${name}`, (error as Error).message);
    }
    const response = { ExecutionArn: child.arn, StartDate: child.started };
    if (request.pattern === 'request-response' || request.pattern === 'waitForTaskToken') return response;
    request.submitted(response);
    const done = await this.env.nested.waitFor(child.arn, request.signal).catch((error: unknown) => {
      this.env.nested.stop(child.arn);
      throw error;
    });
    const output = done.output === null ? null : (JSON.parse(done.output) as JsonValue);
    const description: Record<string, JsonValue> = {
      ExecutionArn: done.arn,
      Input: request.pattern === 'sync:2' ? (JSON.parse(done.input) as JsonValue) : done.input,
      InputDetails: { Included: true },
      Name: done.name,
      StartDate: done.started,
      StateMachineArn: done.versionArn ?? done.machineArn,
      Status: done.status,
      StopDate: done.stopped ?? Date.now(),
    };
    if (done.status === 'SUCCEEDED') {
      description.Output = request.pattern === 'sync:2' ? output : done.output;
      description.OutputDetails = { Included: true };
      return description;
    }
    if (done.error !== null) description.Error = done.error;
    if (done.cause !== null) description.Cause = done.cause;
    throw new TaskFailure(StatesErrors.TaskFailed, JSON.stringify(description));
  }
}

function childName(request: TaskRequest): string {
  const context = request.context as { State?: { EnteredTime?: string }; Map?: { Item?: { Index?: number } } } | null;
  const seed = [request.executionArn, request.stateName, context?.State?.EnteredTime, context?.Map?.Item?.Index, request.attempt].join('|');
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function functionName(value: unknown): { name: string; qualifier?: string } {
  if (typeof value !== 'string' || value === '') throw new TaskFailure(StatesErrors.Runtime, 'lambda:invoke needs a FunctionName parameter');
  const arn = FUNCTION_ARN.exec(value);
  if (arn) return { name: arn[1], qualifier: arn[2] };
  // Partial ARN `123456789012:function:name[:qualifier]` or `name[:qualifier]`.
  const partial = /^(?:\d{12}:function:)?([^:]+)(?::([^:]+))?$/.exec(value);
  if (partial) return { name: partial[1], qualifier: partial[2] };
  return { name: value };
}

function unserved(request: TaskRequest, machineName: string | undefined): TaskFailure {
  const service = /^arn:aws[a-z-]*:states:::([^:]+(?::[^.]+)?)/.exec(request.baseResource)?.[1] ?? request.baseResource;
  return new TaskFailure(
    StatesErrors.TaskFailed,
    `deliv local does not serve ${service} (state ${request.stateName}). Mock it: add "${request.stateName}" to a test case of ` +
      `"${machineName ?? 'the state machine'}" in the mocks file (mocks: in deliv.yaml, test case Default), or call a Lambda function mapped under functions in deliv.yaml.`,
  );
}
