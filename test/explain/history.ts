/**
 * Builds execution histories in the exact GetExecutionHistory shape (ids,
 * previousEventId chains, `...EventDetails`), for explaining failures without
 * an engine.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export class HistoryBuilder {
  readonly events: HistoryEvent[] = [];
  private time = Date.parse('2026-01-05T11:30:00Z');

  constructor(input: unknown) {
    this.add('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(input), roleArn: 'arn:aws:iam::123456789012:role/test' } });
  }

  private add(type: string, details: Partial<HistoryEvent> = {}, previous?: number): this {
    const id = this.events.length + 1;
    this.time += 10;
    this.events.push({ id, previousEventId: previous ?? id - 1, timestamp: new Date(this.time), type: type as HistoryEvent['type'], ...details });
    return this;
  }

  enter(name: string, type: string, input: unknown): this {
    return this.add(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
  }

  exit(name: string, type: string, output: unknown): this {
    return this.add(`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } });
  }

  scheduled(resource: string, parameters: unknown, options: { resourceType?: string; timeoutInSeconds?: number; heartbeatInSeconds?: number } = {}): this {
    this.add('TaskScheduled', {
      taskScheduledEventDetails: { resourceType: options.resourceType ?? 'lambda', resource, region: 'us-east-1', parameters: JSON.stringify(parameters), timeoutInSeconds: options.timeoutInSeconds, heartbeatInSeconds: options.heartbeatInSeconds },
    });
    return this.add('TaskStarted', { taskStartedEventDetails: { resourceType: options.resourceType ?? 'lambda', resource } });
  }

  taskFailed(error: string, cause?: string, resourceType = 'lambda'): this {
    return this.add('TaskFailed', { taskFailedEventDetails: { resourceType, resource: 'invoke', error, cause } });
  }

  taskTimedOut(error = 'States.Timeout', cause?: string): this {
    return this.add('TaskTimedOut', { taskTimedOutEventDetails: { resourceType: 'lambda', resource: 'invoke', error, cause } });
  }

  taskSucceeded(output: unknown): this {
    return this.add('TaskSucceeded', { taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify(output) } });
  }

  event(type: string, details: Partial<HistoryEvent> = {}): this {
    return this.add(type, details);
  }

  failed(error: string, cause?: string): HistoryEvent[] {
    this.add('ExecutionFailed', { executionFailedEventDetails: { error, cause } });
    return this.events;
  }

  timedOut(): HistoryEvent[] {
    this.add('ExecutionTimedOut', { executionTimedOutEventDetails: {} });
    return this.events;
  }
}

/** The usual shape of a failing Task: entered, scheduled, failed (one or more attempts), execution failed. */
export function failingTask(options: {
  name?: string;
  input: unknown;
  error: string;
  cause?: string;
  attempts?: number;
  parameters?: unknown;
  resource?: string;
  resourceType?: string;
  timeoutInSeconds?: number;
  heartbeatInSeconds?: number;
  timedOut?: boolean;
}): HistoryEvent[] {
  const name = options.name ?? 'Work';
  const history = new HistoryBuilder(options.input).enter(name, 'Task', options.input);
  for (let attempt = 0; attempt < (options.attempts ?? 1); attempt += 1) {
    history.scheduled(options.resource ?? 'invoke', options.parameters ?? { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:work', Payload: options.input }, options);
    if (options.timedOut) history.taskTimedOut(options.error, options.cause);
    else history.taskFailed(options.error, options.cause, options.resourceType);
  }
  return history.failed(options.error, options.cause);
}

/** A runtime error raised while entering or leaving a state: no task event, just the execution failing. */
export function failingState(options: { name?: string; type?: string; input: unknown; error: string; cause?: string }): HistoryEvent[] {
  return new HistoryBuilder(options.input).enter(options.name ?? 'Work', options.type ?? 'Task', options.input).failed(options.error, options.cause);
}
