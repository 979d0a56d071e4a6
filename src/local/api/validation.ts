/** ValidateStateMachineDefinition and TestState. */
import { testState, TestStateRequestError, type InspectionLevel, type TestStateRequest } from '../../engine/test-state.js';
import { ApiError, validationError } from '../api-error.js';
import { describeProblem } from '../engine.js';
import { checkPayloadSize, compact, optionalString, requireString, type Handler } from './common.js';

const validateStateMachineDefinition: Handler = (context, input) => {
  const definition = requireString(input, 'definition');
  // AWS's model bounds maxResults to 0..100 (0 meaning the default, 100) and refuses anything else.
  const asked = input.maxResults;
  if (typeof asked === 'number' && asked > 100) throw validationError('maxResults', 'Member must have value less than or equal to 100', String(asked));
  if (typeof asked === 'number' && asked < 0) throw validationError('maxResults', 'Member must have value greater than or equal to 0', String(asked));
  const maxResults = typeof asked === 'number' && asked > 0 ? asked : 100;
  const severity = optionalString(input, 'severity') ?? 'ERROR';
  if (severity !== 'ERROR' && severity !== 'WARNING') throw validationError('severity', 'Member must satisfy enum value set: [ERROR, WARNING]');
  const type = optionalString(input, 'type') as 'STANDARD' | 'EXPRESS' | undefined;
  if (type !== undefined && type !== 'STANDARD' && type !== 'EXPRESS') throw validationError('type', 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
  const result = context.machines.check(definition, type);
  // AWS: ERROR returns the errors only, WARNING the warnings as well (the errors first), whatever the result.
  const errors = result.ok ? [] : result.problems.map((problem) => diagnostic('ERROR', problem));
  const warnings = severity === 'WARNING' ? (result.warnings ?? []).map((warning) => diagnostic('WARNING', warning)) : [];
  const diagnostics = [...errors, ...warnings];
  return {
    result: result.ok ? 'OK' : 'FAIL',
    diagnostics: diagnostics.slice(0, maxResults).map((d) => compact(d)),
    truncated: diagnostics.length > maxResults,
  };
};

function diagnostic(severity: 'ERROR' | 'WARNING', problem: { path: string; field?: string; message: string }) {
  return { severity, code: codeOf(problem.message), message: describeProblem(problem), location: locationOf(problem) };
}

function codeOf(message: string): string {
  return /^([A-Z_]{4,}):/.exec(message)?.[1] ?? 'SCHEMA_VALIDATION_FAILED';
}

function locationOf(problem: { path: string; field?: string; pointer?: string }): string | undefined {
  if (problem.pointer) return problem.pointer;
  if (!problem.path && !problem.field) return undefined;
  return `/${[...problem.path.split('.').filter(Boolean), ...(problem.field ? [problem.field] : [])].join('/')}`;
}

/** TestState: the engine's own (src/engine/test-state.ts), with the emulator's handlers for tasks nothing mocks. */
const testStateAction: Handler = async (context, input) => {
  const inputText = optionalString(input, 'input');
  if (inputText !== undefined) checkPayloadSize('input', inputText);
  const level = optionalString(input, 'inspectionLevel');
  if (level !== undefined && !['INFO', 'DEBUG', 'TRACE'].includes(level)) throw new ApiError('ValidationException', `1 validation error detected: Value '${level}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]`);
  try {
    return await testState(
      {
        definition: requireString(input, 'definition'),
        stateName: optionalString(input, 'stateName'),
        input: inputText,
        inspectionLevel: level as InspectionLevel | undefined,
        variables: optionalString(input, 'variables'),
        context: optionalString(input, 'context'),
        roleArn: optionalString(input, 'roleArn'),
        mock: input.mock as TestStateRequest['mock'],
        stateConfiguration: input.stateConfiguration as TestStateRequest['stateConfiguration'],
      },
      { runner: context.runtime.taskRunner, region: context.partition.region, account: context.partition.account },
    );
  } catch (error) {
    if (error instanceof TestStateRequestError) throw new ApiError(error.code, error.message);
    throw error;
  }
};

export const validationActions: Record<string, Handler> = {
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  TestState: testStateAction,
};
