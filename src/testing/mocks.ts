/**
 * The TaskRunner of one test case: each Task state answers as the case says
 * (`mock:` one outcome per attempt, `handler:` the project's local handler,
 * `callback:` how a `.waitForTaskToken` token is answered). A Task the case
 * says nothing about fails with a cause that says how to mock it, so a test
 * never reaches a real service by accident.
 */
import type { JsonObject, JsonValue } from '../asl/types.js';
import { TaskFailure, type Clock, type ResultWriteRequest, type TaskRequest, type TaskRunner } from '../engine/types.js';
import { resultKey } from '../engine/result-writer.js';
import type { Callback, MockOutcome, StateBehaviour } from './file.js';
import { StatesErrors } from '../asl/errors.js';

export interface CaseRunnerOptions {
  states: Record<string, StateBehaviour>;
  clock: Clock;
  caseName: string;
  /** Runs the project's handler for a state with `handler: true` (request-response). */
  handlers?: TaskRunner;
  readItems?: TaskRunner['readItems'];
}

/** The last entry answers every attempt past the end, as in MockConfigFile ranges. */
function pick<T>(list: T | T[] | undefined, attempt: number): T | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return list;
  return list[Math.min(attempt, list.length - 1)];
}

function never(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class CaseTaskRunner implements TaskRunner {
  private readonly invocations = new Map<string, number>();
  readonly readItems?: TaskRunner['readItems'];

  constructor(private readonly options: CaseRunnerOptions) {
    this.readItems = options.readItems;
  }

  async run(request: TaskRequest): Promise<JsonValue> {
    const behaviour = this.options.states[request.stateName];
    const invocation = this.invocations.get(request.stateName) ?? 0;
    this.invocations.set(request.stateName, invocation + 1);
    const callbackTask = request.pattern === 'waitForTaskToken';
    if (!behaviour || (behaviour.mock === undefined && !behaviour.handler && !(callbackTask && behaviour.callback !== undefined))) {
      throw new TaskFailure(
        StatesErrors.TaskFailed,
        `state ${request.stateName} has no behaviour in test case "${this.options.caseName}": add states.${request.stateName}.mock (return: or throw:)` +
          `${callbackTask ? ', callback:' : ''} or handler: true`,
      );
    }
    let result: JsonValue = null;
    const outcome: MockOutcome | undefined = pick(behaviour.mock, invocation);
    // As in the emulator: a mocked `.sync`/`.waitForTaskToken` task's submit call is taken as accepted.
    if (outcome && request.pattern !== 'request-response') request.submitted({});
    if (outcome && 'throw' in outcome) throw new TaskFailure(outcome.throw.error, outcome.throw.cause);
    if (outcome && 'never' in outcome) return never(request.signal);
    if (outcome) result = outcome.return;
    else if (behaviour.handler) {
      if (!this.options.handlers) throw new TaskFailure(StatesErrors.TaskFailed, `state ${request.stateName} asks for its handler, but this run has no project handlers`);
      // For a callback task the handler is the resource invoked; the token is then answered as `callback:` says.
      result = await this.options.handlers.run(callbackTask ? { ...request, pattern: 'request-response' } : request);
      if (callbackTask) request.submitted(result);
    }
    if (!callbackTask) return result;
    const callback = pick(behaviour.callback, invocation);
    // A mocked callback task with no callback answers at once with the mock, as Step Functions Local does.
    if (callback === undefined) return result;
    return this.answer(callback, request);
  }

  /** A test case's ResultWriter: the Map's output is what AWS returns, but a test run leaves the project's files alone. */
  writeResults(request: ResultWriteRequest): Promise<JsonObject> {
    return Promise.resolve({ Bucket: request.bucket, Key: resultKey(request.prefix, request.mapRunArn, 'manifest.json') });
  }

  private async answer(callback: Callback, request: TaskRequest): Promise<JsonValue> {
    if (callback === 'none') return never(request.signal);
    const interval = request.heartbeatSeconds ? (request.heartbeatSeconds * 1000) / 2 : 1000;
    for (let i = 0; i < (callback.heartbeats ?? 0); i += 1) {
      await this.options.clock.sleep(interval, request.signal);
      request.heartbeat();
    }
    if (callback.failure) throw new TaskFailure(callback.failure.error, callback.failure.cause);
    if (callback.success !== undefined) return callback.success;
    if (callback.none) return never(request.signal);
    // Heartbeats only, no answer named: the worker answers with an empty result.
    return {};
  }
}
