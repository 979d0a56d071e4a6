/** ValidateStateMachineDefinition and TestState. */
import { firstMatching } from '../../asl/errors.js';
import type { JsonValue } from '../../asl/types.js';
import type { HistoryEvent } from '../../engine/types.js';
import { ApiError } from '../api-error.js';
import { describeProblem } from '../engine.js';
import { checkPayloadSize, compact, optionalString, requireString, type Handler } from './common.js';

const validateStateMachineDefinition: Handler = (context, input) => {
  const definition = requireString(input, 'definition');
  const maxResults = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
  const severity = optionalString(input, 'severity') ?? 'ERROR';
  const result = context.machines.check(definition);
  const diagnostics = result.ok
    ? severity === 'WARNING'
      ? result.warnings.map((warning) => ({ severity: 'WARNING', code: codeOf(warning.message), message: describeProblem(warning), location: locationOf(warning) }))
      : []
    : result.problems.map((problem) => ({ severity: 'ERROR', code: codeOf(problem.message), message: describeProblem(problem), location: locationOf(problem) }));
  return {
    result: result.ok ? 'OK' : 'FAIL',
    diagnostics: diagnostics.slice(0, maxResults).map((d) => compact(d)),
    truncated: diagnostics.length > maxResults,
  };
};

function codeOf(message: string): string {
  return /^([A-Z_]{4,}):/.exec(message)?.[1] ?? 'SCHEMA_VALIDATION_FAILED';
}

function locationOf(problem: { path: string; field?: string }): string | undefined {
  if (!problem.path && !problem.field) return undefined;
  return `/${[...problem.path.split('.').filter(Boolean), ...(problem.field ? [problem.field] : [])].join('/')}`;
}

/**
 * TestState runs one state on its own: the state becomes a one-state machine
 * whose transitions lead to placeholder Succeed states, so the history tells
 * where it would go next and what it produced.
 */
const testState: Handler = async (context, input) => {
  const definition = requireString(input, 'definition');
  const inputText = optionalString(input, 'input') ?? '{}';
  checkPayloadSize('input', inputText);
  let parsed: Record<string, JsonValue>;
  let stateInput: JsonValue;
  try {
    parsed = JSON.parse(definition) as Record<string, JsonValue>;
  } catch (error) {
    throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`);
  }
  try {
    stateInput = JSON.parse(inputText) as JsonValue;
  } catch (error) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  const requested = optionalString(input, 'stateName');
  let state = parsed;
  let stateName = requested ?? 'TestState';
  let queryLanguage: JsonValue | undefined;
  if (parsed.States && typeof parsed.States === 'object') {
    const states = parsed.States as Record<string, Record<string, JsonValue>>;
    stateName = requested ?? String(parsed.StartAt);
    if (!states[stateName]) throw new ApiError('ValidationException', `State '${stateName}' is not in the definition`);
    state = states[stateName];
    queryLanguage = parsed.QueryLanguage;
  }
  const retriers = Array.isArray(state.Retry) ? (state.Retry as { ErrorEquals?: string[] }[]) : [];
  const single: Record<string, JsonValue> = { ...state };
  delete single.Retry;
  const machineStates: Record<string, JsonValue> = { [stateName]: single };
  for (const target of transitionTargets(single)) if (target !== stateName) machineStates[target] = { Type: 'Succeed' };
  const machine: Record<string, JsonValue> = { StartAt: stateName, States: machineStates };
  if (queryLanguage !== undefined) machine.QueryLanguage = queryLanguage;
  const compiled = context.machines.get(JSON.stringify(machine));
  const events: HistoryEvent[] = [];
  const handle = compiled.start({
    executionArn: `arn:aws:states:${context.partition.region}:${context.partition.account}:execution:TestState:${crypto.randomUUID()}`,
    name: 'TestState',
    stateMachineArn: `arn:aws:states:${context.partition.region}:${context.partition.account}:stateMachine:TestState`,
    stateMachineName: 'TestState',
    roleArn: optionalString(input, 'roleArn') ?? `arn:aws:iam::${context.partition.account}:role/DelivLocalRole`,
    input: stateInput,
    runner: context.runtime.taskRunner,
    clock: context.clock,
    onEvent: (event) => events.push(event),
  });
  const result = await handle.result;
  const entered = events.filter((event) => event.type?.endsWith('StateEntered'));
  const next = entered.find((event) => event.stateEnteredEventDetails?.name !== stateName);
  const exited = events.find((event) => event.type?.endsWith('StateExited') && event.stateExitedEventDetails?.name === stateName);
  const failure = [...events].reverse().find((event) => /Failed|TimedOut$/.test(event.type ?? '') && event.type !== 'ExecutionFailed');
  const failureDetails = failure ? (Object.entries(failure).find(([key]) => key.endsWith('EventDetails'))?.[1] as { error?: string; cause?: string } | undefined) : undefined;
  const inspectionData = { input: inputText };
  if (result.status === 'SUCCEEDED') {
    if (!exited && next) {
      return compact({
        status: 'CAUGHT_ERROR',
        error: failureDetails?.error,
        cause: failureDetails?.cause,
        output: next.stateEnteredEventDetails?.input,
        nextState: next.stateEnteredEventDetails?.name,
        inspectionData,
      });
    }
    return compact({
      status: 'SUCCEEDED',
      output: exited?.stateExitedEventDetails?.output ?? JSON.stringify(result.output ?? null),
      nextState: next?.stateEnteredEventDetails?.name,
      inspectionData,
    });
  }
  const retriable = firstMatching(retriers, result.error) !== undefined;
  return compact({ status: retriable ? 'RETRIABLE' : 'FAILED', error: result.error, cause: result.cause, inspectionData });
};

function transitionTargets(state: Record<string, JsonValue>): string[] {
  const targets = new Set<string>();
  if (typeof state.Next === 'string') targets.add(state.Next);
  if (typeof state.Default === 'string') targets.add(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const entry of list) if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry.Next === 'string') targets.add(entry.Next);
  }
  return [...targets];
}

export const validationActions: Record<string, Handler> = {
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  TestState: testState,
};
