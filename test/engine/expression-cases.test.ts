/**
 * Runs the AWS-recorded conformance cases made only of Pass, Choice, Succeed,
 * Fail and zero-second Wait states through the expression layer alone, with
 * a minimal stepper, to hold its outputs and error texts to what AWS returned.
 * The engine's own conformance suite runs every case through the real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChoiceRule, JsonObject, JsonValue, QueryLanguage, State, StateMachineDefinition } from '../../src/asl/types.js';
import { compileChoiceRule } from '../../src/engine/choice.js';
import { StatesError } from '../../src/engine/errors.js';
import { compileJsonataValue, JSONATA_LIMITS } from '../../src/engine/jsonata.js';
import { applyResultPath, compileScopePath, invalidPathCause } from '../../src/engine/jsonpath.js';
import { compileDynamicValue, compilePayload } from '../../src/engine/payload.js';
import type { EvalScope } from '../../src/engine/scope.js';
import { CONFORMANCE_SUITE, conformanceMismatches, loadConformanceCases } from '../helpers/conformance.js';

const SIMPLE_TYPES = new Set(['Pass', 'Choice', 'Succeed', 'Fail', 'Wait']);

const cases = loadConformanceCases().filter((c) =>
  Object.values(c.definition.States).every((s) => SIMPLE_TYPES.has(s.Type) && (s.Type !== 'Wait' || (s as { Seconds?: unknown }).Seconds === 0)),
);

type Outcome = { status: 'SUCCEEDED'; output: JsonValue } | { status: 'FAILED'; error?: string; cause?: string };

/** Just enough of a state machine to drive the expression layer the way the engine does. */
async function run(definition: StateMachineDefinition, input: JsonValue): Promise<Outcome> {
  let variables: Record<string, JsonValue> = {};
  let name = definition.StartAt;
  let value = input;
  let eventId = 1;
  const execution = { Id: 'arn:aws:states:us-east-1:123456789012:execution:m:e', Input: input, StartTime: new Date().toISOString(), Name: 'e', RoleArn: 'role', RedriveCount: 0 };
  for (;;) {
    const state = definition.States[name] as State & Record<string, any>;
    const entered = ++eventId;
    const context = { Execution: execution, StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', Name: 'm' }, State: { Name: name, EnteredTime: new Date().toISOString() } };
    const language: QueryLanguage = state.QueryLanguage ?? definition.QueryLanguage ?? 'JSONPath';
    try {
      const step = await runState(state, language, value, context, variables);
      eventId++;
      variables = { ...variables, ...step.assigned };
      if (step.fail) return { status: 'FAILED', ...step.fail };
      value = step.output;
      if (!step.next) return { status: 'SUCCEEDED', output: value };
      name = step.next;
    } catch (error) {
      if (!(error instanceof StatesError)) throw error;
      return { status: 'FAILED', error: error.error, cause: `An error occurred while executing the state '${name}' (entered at the event id #${entered}). ${error.cause}` };
    }
  }
}

async function runState(
  state: State & Record<string, any>,
  language: QueryLanguage,
  rawInput: JsonValue,
  context: JsonValue,
  variables: Record<string, JsonValue>,
): Promise<{ output: JsonValue; next?: string; assigned: Record<string, JsonValue>; fail?: { error?: string; cause?: string } }> {
  const scope: EvalScope = { input: rawInput, context, variables, states: { input: rawInput, context } };
  if (language === 'JSONata') {
    let next = state.Next as string | undefined;
    let assign = state.Assign;
    let output: JsonValue = rawInput;
    if (state.Type === 'Fail') {
      const error = state.Error === undefined ? undefined : ((await compileJsonataValue(state.Error, 'Error')(scope)) as string);
      const cause = state.Cause === undefined ? undefined : ((await compileJsonataValue(state.Cause, 'Cause')(scope)) as string);
      return { output, assigned: {}, fail: { error, cause } };
    }
    if (state.Type === 'Choice') {
      const rules = state.Choices as ChoiceRule[];
      const index = await findRule(rules, language, scope);
      const rule = index === undefined ? undefined : rules[index];
      next = rule ? rule.Next : state.Default;
      if (!next) return { output, assigned: {}, fail: { error: 'States.NoChoiceMatched' } };
      if (rule?.Assign) assign = rule.Assign;
      if (rule?.Output !== undefined) output = await compileJsonataValue(rule.Output, `Choices[${index}]/Output`)(scope);
    }
    if (state.Output !== undefined) output = await compileJsonataValue(state.Output, 'Output')(scope);
    const assigned = assign ? ((await compileJsonataValue(assign, 'Assign')(scope)) as JsonObject) : {};
    return { output, next, assigned };
  }

  if (state.Type === 'Fail') {
    const read = (field: string) => (state[`${field}Path`] !== undefined ? (compileDynamicValue(state[`${field}Path`], `${field}Path`)(scope) as string) : state[field]);
    return { output: rawInput, assigned: {}, fail: { error: read('Error'), cause: read('Cause') } };
  }
  const inputPath = state.InputPath;
  let effective = rawInput;
  if (inputPath === null) effective = {};
  else if (inputPath !== undefined) {
    const selected = compileScopePath(inputPath)(scope);
    if (selected === undefined) throw new StatesError('States.Runtime', invalidPathCause(inputPath, rawInput));
    effective = selected;
  }
  const inner: EvalScope = { ...scope, input: effective };
  let next = state.Next as string | undefined;
  let assign = state.Assign as JsonObject | undefined;
  let result = effective;
  if (state.Type === 'Choice') {
    const rules = state.Choices as ChoiceRule[];
    const index = await findRule(rules, language, inner);
    const rule = index === undefined ? undefined : rules[index];
    next = rule ? rule.Next : state.Default;
    if (!next) return { output: rawInput, assigned: {}, fail: { error: 'States.NoChoiceMatched' } };
    if (rule?.Assign) assign = rule.Assign;
  }
  if (state.Type === 'Pass') {
    if (state.Parameters !== undefined) result = compilePayload(state.Parameters, 'Parameters')(inner);
    if (state.Result !== undefined) result = state.Result;
  }
  const assigned = assign ? (compilePayload(assign, 'Assign')({ ...inner, input: result }) as JsonObject) : {};
  let output = state.Type === 'Pass' ? applyResultPath(rawInput, state.ResultPath, result) : effective;
  if (state.OutputPath === null) output = {};
  else if (state.OutputPath !== undefined) {
    const selected = compileScopePath(state.OutputPath)({ ...scope, input: output });
    if (selected === undefined) throw new StatesError('States.Runtime', invalidPathCause(state.OutputPath, output));
    output = selected;
  }
  return { output, next: state.End ? undefined : next, assigned };
}

async function findRule(rules: ChoiceRule[], language: QueryLanguage, scope: EvalScope): Promise<number | undefined> {
  for (let i = 0; i < rules.length; i++) if (await compileChoiceRule(rules[i], language, `Choices[${i}]`)(scope)) return i;
  return undefined;
}

describe(`${CONFORMANCE_SUITE} through the expression layer`, () => {
  it('finds cases it can run on the expression layer alone', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    expect(conformanceMismatches(c, await run(c.definition, c.input))).toEqual([]);
  });
});

// A slow expression is evaluated in a worker thread (src/engine/jsonata-workers.ts): what AWS recorded
// must come out of that path too, every output and every error's cause.
describe(`${CONFORMANCE_SUITE} through the expression layer, every jsonata evaluation in a worker thread`, () => {
  const jsonataCases = cases.filter((c) => JSON.stringify(c.definition).includes('{%'));
  const usual = JSONATA_LIMITS.workerAfterMs;
  beforeAll(() => {
    JSONATA_LIMITS.workerAfterMs = 0;
  });
  afterAll(() => {
    JSONATA_LIMITS.workerAfterMs = usual;
  });

  it('finds JSONata cases', () => {
    expect(jsonataCases.length).toBeGreaterThan(0);
  });

  it.each(jsonataCases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    expect(conformanceMismatches(c, await run(c.definition, c.input))).toEqual([]);
  });
});
