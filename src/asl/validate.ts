/**
 * Checks a state machine definition: the ASL schema and spec rules through
 * asl-validator, then semantic checks of our own that it lacks (reachability with
 * locations, Choice without Default, Retry/Catch order, unresolved placeholders).
 *
 * The one rule above all: a definition AWS accepts is never rejected. asl-validator
 * is stricter than AWS in a few places, so it is handed a copy where those
 * constructs are replaced by equivalents it accepts, and we check them ourselves:
 * - JSONata expressions spanning lines (its pattern has no dotall flag): every
 *   `{% %}` string is parsed here with the jsonata package and passed on as `{% 0 %}`;
 * - JSONata template fields (Output, Assign, Arguments, ItemSelector, BatchInput):
 *   AWS takes any JSON value there (a string, an array, null in a list, ""), the
 *   schema only objects of non-empty strings;
 * - JSONPath payload templates with null or "" or `{% ... %}` literals in arrays;
 * - ToleratedFailurePercentage with a fraction (AWS takes any number 0-100).
 */
import { createRequire } from 'node:module';
import { statesAllProblems } from './errors.js';
import { findState, reachableStates, transitionsOf } from './graph.js';
import { everyState } from './walk.js';
import { loadAslValidator, type AslValidator } from './schema-check.js';
import { PLACEHOLDER, placeholderPattern } from './placeholder.js';
import { JsonPathSyntaxError, parsePath, pathEnd, type ParsedPath, type PathSegment } from './jsonpath.js';
import type { DefinitionPath, StateMachineDefinition, WorkflowType } from './types.js';

const requireFromHere = createRequire(import.meta.url);

export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  /** AWS's error codes where one exists (SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET, ...), else ours. */
  code: string;
  message: string;
  file: string;
  line: number;
  col: number;
  /** Where in the definition, AWS style: `/States/Charge/Retry/1`. */
  pointer: string;
  /** The state concerned, nested states joined with `.`: `ChargeAndReserve.ChargePayment` ('' for the machine). */
  state: string;
}

/** What validation needs of a loaded definition (`LoadedDefinition` from src/project/definition.ts fits). */
export interface ValidationInput {
  file: string;
  definition: StateMachineDefinition;
  unresolved: string[];
  locate(at: DefinitionPath): { line: number; col: number };
  /** Keys the source text holds twice in one object (duplicate-keys.ts), with where the later one is when known. */
  duplicates?: ReadonlyArray<{ at: DefinitionPath; line?: number; col?: number }>;
}

export interface ValidateOptions {
  /** A file outside any project: unresolved placeholders are warnings, not errors. */
  bare: boolean;
  /** Named in the placeholder message ("no substitution in target prod"). */
  target?: string;
  /** When known (in a project), EXPRESS machines are checked for integrations they cannot use. */
  workflowType?: WorkflowType;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const JSONATA = /^\{%([\s\S]*)%\}$/;
const TEMPLATE_FIELDS_JSONATA = ['Output', 'Assign', 'Arguments', 'ItemSelector'];
const TEMPLATE_FIELDS_JSONPATH = ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign', 'Result'];
const DUMMY_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:placeholder';

export function validateDefinition(loaded: ValidationInput, options: ValidateOptions): Problem[] {
  const problems: Problem[] = [];
  const add = (severity: Severity, code: string, message: string, at: DefinitionPath) => {
    const position = loaded.locate(at);
    problems.push({ severity, code, message, file: loaded.file, line: position.line, col: position.col, pointer: toPointer(at), state: stateOf(at) });
  };
  const definition = loaded.definition as unknown as JsonMap;
  // The parsed value kept one of each pair: what else could be found there is about a definition nobody wrote.
  const duplicated = duplicateKeyProblems(loaded);
  if (duplicated.length > 0) return duplicated;

  if (!isMap(definition) || typeof definition.StartAt !== 'string' || !isMap(definition.States)) {
    add('error', 'SCHEMA_VALIDATION_FAILED', 'a state machine needs `StartAt` (a state name) and `States` (an object)', []);
    return problems;
  }

  const jsonataProblems: Array<{ message: string; at: DefinitionPath }> = [];
  const copy = prepareForSchema(definition, jsonataProblems);
  for (const { message, at } of jsonataProblems) add('error', 'SCHEMA_VALIDATION_FAILED', message, at);
  for (const error of runAslValidator(copy, jsonataProblems.map((problem) => problem.at))) {
    const at = error.at ?? [];
    if (containsPlaceholder(valueAt(definition, at))) continue; // reported below as a placeholder
    add('error', error.code, error.message, at);
  }

  checkMachine(definition, [], add);
  if (options.workflowType === 'EXPRESS') checkExpressIntegrations(definition, [], add);
  else checkExpressProcessors(definition, [], add);

  problems.push(...placeholderProblems(loaded, options));
  return dedupe(problems).sort((a, b) => a.line - b.line || a.col - b.col);
}

/**
 * A key written twice in one object. In a States object that is two states of
 * one name, AWS's documented DUPLICATE_STATE_NAME ("The same state name appears
 * more than once"), which AWS refuses at CreateStateMachine though JSON parsers
 * keep the last silently. Elsewhere AWS's answer is unrecorded: it is refused as
 * a JSON problem, since the definition that would run is not the one written.
 */
function duplicateKeyProblems(loaded: ValidationInput): Problem[] {
  return (loaded.duplicates ?? []).map(({ at, line, col }): Problem => {
    const key = String(at[at.length - 1]);
    const position = line !== undefined && col !== undefined ? { line, col } : loaded.locate(at);
    const state = isStatesObject(at.slice(0, -1));
    return {
      severity: 'error',
      code: state ? 'DUPLICATE_STATE_NAME' : 'INVALID_JSON_DESCRIPTION',
      message: state
        ? `state name ${key} is used twice: state names must be unique in the whole state machine, nested states included`
        : `key ${key} appears twice in one object: a JSON parser keeps only the last, so keep one`,
      file: loaded.file,
      line: position.line,
      col: position.col,
      pointer: toPointer(at),
      state: stateOf(at),
    };
  });
}

/** Whether `at` is a States object: the machine's, a Parallel branch's, or a Map processor's. */
function isStatesObject(at: DefinitionPath): boolean {
  if (at[at.length - 1] !== 'States') return false;
  const scope = at.slice(0, -1);
  if (scope.length === 0) return true;
  const last = scope[scope.length - 1];
  const state = typeof last === 'number' && scope[scope.length - 2] === 'Branches' ? scope.slice(0, -2) : last === 'ItemProcessor' || last === 'Iterator' ? scope.slice(0, -1) : undefined;
  return state !== undefined && state[state.length - 2] === 'States' && isStatesObject(state.slice(0, -1));
}

/**
 * Only the unresolved-placeholder check: cheap, for checking one definition against
 * further targets once validateDefinition has checked it against the first.
 */
export function placeholderProblems(loaded: ValidationInput, options: ValidateOptions): Problem[] {
  const definition = loaded.definition as unknown as Json;
  return loaded.unresolved.map((name): Problem => {
    const at = findPlaceholder(definition, name, []) ?? [];
    const position = loaded.locate(at);
    const where = options.target ? ` in target \`${options.target}\`` : '';
    const fix = options.bare ? `pass --sub ${name}=VALUE` : "add it to the target's substitutions in deliv.yaml";
    return {
      severity: options.bare ? 'warning' : 'error',
      code: 'UNRESOLVED_PLACEHOLDER',
      message: `placeholder \${${name}} has no substitution${where}; ${fix}`,
      file: loaded.file,
      line: position.line,
      col: position.col,
      pointer: toPointer(at),
      state: stateOf(at),
    };
  });
}

// ---------------------------------------------------------------- semantic checks

type Add = (severity: Severity, code: string, message: string, at: DefinitionPath) => void;

/** One state machine or sub-machine (Parallel branch, Map processor): transitions stay within it. */
function checkMachine(machine: JsonMap, base: DefinitionPath, add: Add, language = machine.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath'): void {
  const states = isMap(machine.States) ? machine.States : {};
  const names = Object.keys(states);
  const startAt = machine.StartAt;
  if (typeof startAt === 'string' && !(startAt in states)) add('error', 'MISSING_TRANSITION_TARGET', `StartAt names a state that does not exist: ${startAt}`, [...base, 'StartAt']);
  const reachable = reachableStates({ startAt: typeof startAt === 'string' ? startAt : undefined, states });

  for (const name of names) {
    const state = states[name];
    const at = [...base, 'States', name];
    if (!isMap(state)) continue;
    for (const { target, field } of transitionsOf(state)) {
      if (!(target in states)) {
        add('error', 'MISSING_TRANSITION_TARGET', `${field.join('.')} names a state that does not exist here: ${target}${suggest(target, names)}`, [...at, ...field]);
      }
    }
    if (!reachable.has(name) && typeof startAt === 'string' && startAt in states) {
      add('error', 'MISSING_TRANSITION_TARGET', `state ${name} is not reachable: no StartAt, Next, Default or Catch leads to it`, at);
    }
    if (typeof state.Type !== 'string' || !STATE_TYPES.includes(state.Type)) {
      add('error', 'SCHEMA_VALIDATION_FAILED', `unknown state Type ${JSON.stringify(state.Type ?? null)}; use one of ${STATE_TYPES.join(', ')}`, [...at, 'Type']);
    }
    if (state.Type === 'Choice' && state.Default === undefined) {
      add('warning', 'CHOICE_WITHOUT_DEFAULT', 'Choice has no Default: when no rule matches, the execution fails with States.NoChoiceMatched', at);
    }
    checkErrorOrder(state.Retry, 'Retry', at, add);
    checkErrorOrder(state.Catch, 'Catch', at, add);
    if (languageOf(state, language) === 'JSONPath') checkPathLookalikes(state, at, add);
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, index) => isMap(branch) && checkMachine(branch, [...at, 'Branches', index], add, language));
    }
    if (state.Type === 'Map') {
      const field = isMap(state.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
      const processor = state[field];
      if (isMap(processor)) checkMachine(processor, [...at, field], add, language);
    }
  }
}

function languageOf(state: JsonMap, inherited: string): string {
  return state.QueryLanguage === 'JSONata' || state.QueryLanguage === 'JSONPath' ? state.QueryLanguage : inherited;
}

/** A JSONPath (`$.x`, `$[0]`, `$$.Execution.Id`, `$` alone) or an intrinsic function call (`States.Format(...)`). */
const PATH_LIKE = /^\$\$?(?:$|[.[])/;
const INTRINSIC_LIKE = /^States\.[A-Za-z0-9]+\s*\(/;
/** Choice comparisons that have a `...Path` twin: a path given to the plain one is compared as a literal string. */
const COMPARISONS_WITH_PATH = /^String(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)$/;

/**
 * AWS's ValidateStateMachineDefinition warnings (codes from its API reference), for what runs
 * but not as its author meant: NO_DOLLAR, a payload template key without `.$` whose value is a
 * path or an intrinsic (it is passed on as that literal text); NO_PATH, a path given to a field
 * whose name does not end in `Path` (Fail's Error and Cause, a Choice string comparison), so
 * it is taken literally (a Timestamp field is a schema error already); PASS_RESULT_IS_STATIC, a path in a Pass state's Result,
 * which is never evaluated.
 */
function checkPathLookalikes(state: JsonMap, at: DefinitionPath, add: Add): void {
  const templates = (value: Json, path: DefinitionPath): void => {
    if (Array.isArray(value)) value.forEach((item, index) => templates(item, [...path, index]));
    if (!isMap(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (!key.endsWith('.$') && typeof item === 'string' && (PATH_LIKE.test(item) || INTRINSIC_LIKE.test(item))) {
        add('warning', 'NO_DOLLAR', `${key} holds ${JSON.stringify(item)} as literal text: name it ${key}.$ to evaluate it`, [...at, ...path, key]);
      } else if (!key.endsWith('.$')) templates(item, [...path, key]);
    }
  };
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) if (state[field] !== undefined) templates(state[field], [field]);
  if (isMap(state.ItemReader) && state.ItemReader.Parameters !== undefined) templates(state.ItemReader.Parameters, ['ItemReader', 'Parameters']);

  const literalPath = (field: string, value: Json | undefined, where: DefinitionPath): void => {
    if (typeof value === 'string' && PATH_LIKE.test(value)) add('warning', 'NO_PATH', `${field} is ${JSON.stringify(value)}, taken literally: use ${field}Path to read it from the input`, where);
  };
  if (state.Type === 'Fail') for (const field of ['Error', 'Cause']) literalPath(field, state[field], [...at, field]);
  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    const rules = (rule: Json, where: DefinitionPath): void => {
      if (!isMap(rule)) return;
      for (const [key, value] of Object.entries(rule)) if (COMPARISONS_WITH_PATH.test(key)) literalPath(key, value, [...where, key]);
      for (const field of ['And', 'Or']) if (Array.isArray(rule[field])) (rule[field] as Json[]).forEach((inner, index) => rules(inner, [...where, field, index]));
      if (rule.Not !== undefined) rules(rule.Not, [...where, 'Not']);
    };
    state.Choices.forEach((rule, index) => rules(rule, [...at, 'Choices', index]));
  }

  if (state.Type === 'Pass' && state.Result !== undefined) {
    const dynamic = (value: Json): boolean =>
      typeof value === 'string' ? PATH_LIKE.test(value) || INTRINSIC_LIKE.test(value) : Array.isArray(value) ? value.some(dynamic) : isMap(value) ? Object.entries(value).some(([key, item]) => key.endsWith('.$') || dynamic(item)) : false;
    if (dynamic(state.Result)) add('warning', 'PASS_RESULT_IS_STATIC', 'a Pass state\'s Result is static: its paths and .$ fields are not evaluated; use Parameters to build it from the input', [...at, 'Result']);
  }
}

/**
 * Express workflows cannot wait: AWS refuses `.sync` and `.waitForTaskToken` integrations and
 * Activities in them, in these words (recorded; the `.waitForTaskToken` one ends in a space, so
 * that AWS's message has two before its "at").
 */
function checkExpressIntegrations(machine: JsonMap, base: DefinitionPath, add: Add): void {
  if (!isMap(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    const at = [...base, 'States', name];
    if (!isMap(state)) continue;
    if (typeof state.Resource === 'string' && /\.(sync(:\d+)?|waitForTaskToken)$/.test(state.Resource)) {
      const message = state.Resource.endsWith('waitForTaskToken') ? "Express state machine does not support '.waitForTaskToken' service integration " : "Express state machine does not support '.sync' service integration";
      add('error', 'SCHEMA_VALIDATION_FAILED', message, [...at, 'Resource']);
    }
    if (typeof state.Resource === 'string' && /^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:/.test(state.Resource)) {
      add('error', 'SCHEMA_VALIDATION_FAILED', 'Express state machine does not support Activity ARN', [...at, 'Resource']);
    }
    if (Array.isArray(state.Branches)) state.Branches.forEach((branch, index) => isMap(branch) && checkExpressIntegrations(branch, [...at, 'Branches', index], add));
    for (const field of ['ItemProcessor', 'Iterator']) if (isMap(state[field])) checkExpressIntegrations(state[field] as JsonMap, [...at, field], add);
  }
}

/**
 * A Distributed Map whose ItemProcessor runs as Express child workflows
 * (ProcessorConfig.ExecutionType EXPRESS) holds an Express workflow, whatever
 * the machine's type: the same integrations are refused inside it.
 */
function checkExpressProcessors(machine: JsonMap, base: DefinitionPath, add: Add): void {
  if (!isMap(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    const at = [...base, 'States', name];
    if (!isMap(state)) continue;
    if (Array.isArray(state.Branches)) state.Branches.forEach((branch, index) => isMap(branch) && checkExpressProcessors(branch, [...at, 'Branches', index], add));
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (!isMap(processor)) continue;
      const express = isMap(processor.ProcessorConfig) && processor.ProcessorConfig.ExecutionType === 'EXPRESS';
      (express ? checkExpressIntegrations : checkExpressProcessors)(processor, [...at, field], add);
    }
  }
}

/** States.ALL must stand alone and come last: a retrier or catcher after it can never match (the rule is src/asl/errors.ts's). */
function checkErrorOrder(entries: Json | undefined, field: 'Retry' | 'Catch', at: DefinitionPath, add: Add): void {
  for (const problem of statesAllProblems(entries, field)) {
    if (problem.inErrorEquals) add('error', 'SCHEMA_VALIDATION_FAILED', `${field}[${problem.index}]: ${problem.message}`, [...at, field, problem.index, 'ErrorEquals']);
    else add('error', 'SCHEMA_VALIDATION_FAILED', `${field}[${problem.index}] ${problem.message}`, [...at, field, problem.index]);
  }
}

function suggest(target: string, names: string[]): string {
  const lower = target.toLowerCase();
  const close = names.find((name) => name.toLowerCase() === lower || levenshtein(name.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean ${close}?)` : '';
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

const STATE_TYPES: string[] = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'];

// ---------------------------------------------------------------- asl-validator

interface SchemaProblem {
  code: string;
  message: string;
  at?: DefinitionPath;
}

/** Codes our own checks report with a location; asl-validator's versions have none. */
const COVERED_BY_OWN_CHECKS = new Set(['MISSING_TRANSITION_TARGET']);

/** asl-validator with the schema check compiled at build time (see schema-check.ts), loaded on first use. */
let aslValidator: AslValidator | undefined;

function runAslValidator(copy: JsonMap, own: DefinitionPath[]): SchemaProblem[] {
  aslValidator ??= loadAslValidator();
  const result = aslValidator(copy, { checkPaths: true, checkArn: true });
  if (result.isValid) return [];
  const problems: SchemaProblem[] = [];
  const shown = (problem: SchemaProblem): SchemaProblem => ({
    ...problem,
    message: problem.message.replaceAll(HIDDEN_STATES, 'States'),
    at: problem.at?.map((segment) => (segment === HIDDEN_STATES ? 'States' : segment)),
  });
  for (const error of result.errors) {
    if (COVERED_BY_OWN_CHECKS.has(error['Error code'])) continue;
    const pointer = error.schemaError?.instancePath ?? /\s(\/States\/\S*)/.exec(error.Message)?.[1];
    const stateName = /^State "([^"]+)"/.exec(error.Message)?.[1];
    const at = pointer !== undefined ? fromPointer(copy, pointer) : stateName !== undefined ? findState(copy, stateName)?.path : undefined;
    if (at && insideUnknownType(copy, at)) continue; // reported precisely by our own check
    let message = error.Message;
    // The pointer leads the message and may hold spaces (a state named `Over limit?`): cut it as a whole.
    const lead = `${error.schemaError?.instancePath ?? ''} is invalid. `;
    if (error.schemaError && message.startsWith(lead)) message = `${lastSegment(at)} is invalid: ${message.slice(lead.length)}`;
    const named = error.schemaError && message.endsWith('must NOT have additional properties') ? additionalPropertiesMessage(valueAt(copy, at ?? []), at ?? []) : undefined;
    if (named) {
      problems.push({ code: error['Error code'], message: named.message, at: named.at });
      continue;
    }
    if (error['Error code'] === 'DUPLICATE_STATE_NAMES') {
      // AWS's code; the second state of the name is the one to rename (asl-validator names no place).
      const name = /already exists: (.*)$/.exec(error.Message)?.[1] ?? '';
      const places = [...everyState(copy as unknown as StateMachineDefinition)].filter((visited) => visited.name === name);
      problems.push({ code: 'DUPLICATE_STATE_NAME', message: `state name ${name} is used twice: state names must be unique in the whole state machine, nested states included`, at: places.at(-1)?.path });
      continue;
    }
    if (error['Error code'] === 'MISSING_TERMINAL_STATE') message = 'no state ends the execution: give one state `End: true`, or add a Succeed or Fail state';
    // asl-validator puts the query language into each state; a field of the other language shows as a bad QueryLanguage.
    const mixed = at && at[at.length - 1] === 'QueryLanguage' ? mixedLanguageProblem(valueAt(copy, at.slice(0, -1))) : undefined;
    if (mixed && at) {
      problems.push({ code: error['Error code'], message: mixed.message, at: [...at.slice(0, -1), mixed.field] });
      continue;
    }
    problems.push({ code: error['Error code'], message, at });
  }
  // A state that fails its variant of the schema also fails the other variants' `Type`;
  // that second complaint only confuses when a precise one exists for the same state.
  // Likewise a state that fails its variant fails the query-language one on QueryLanguage, which it may not even have:
  // dropped when something more precise is said of the same state.
  const said = [...problems.map((problem) => problem.at), ...own].filter((at): at is DefinitionPath => at !== undefined);
  return problems.filter((problem) => {
    if (!problem.at || !/allowed values/.test(problem.message)) return true;
    const last = problem.at[problem.at.length - 1];
    if (last === 'QueryLanguage') {
      const state = problem.at.slice(0, -1);
      const inside = (at: DefinitionPath) => at !== problem.at && toPointer(at) !== toPointer(problem.at!) && (toPointer(at) === toPointer(state) || toPointer(at).startsWith(`${toPointer(state)}/`));
      return !said.some(inside);
    }
    if (last !== 'Type') return true;
    const state = toPointer(problem.at.slice(0, -1));
    return !problems.some((other) => other !== problem && other.at && toPointer(other.at).startsWith(`${state}/`) && other.at[other.at.length - 1] !== 'Type');
  }).map(shown);
}

/** The top-level fields of a state machine (asl-validator's state-machine.json, as AWS documents them). */
const MACHINE_FIELDS = ['Comment', 'StartAt', 'States', 'Version', 'TimeoutSeconds', 'QueryLanguage'];

/** The schema's "must NOT have additional properties" at the top or at a States object, with the fields named. */
function additionalPropertiesMessage(value: Json | undefined, at: DefinitionPath): { message: string; at: DefinitionPath } | undefined {
  if (!isMap(value)) return undefined;
  if (at.length === 0) {
    const unknown = Object.keys(value).filter((field) => !MACHINE_FIELDS.includes(field));
    return unknown.length ? { message: `unknown top-level field ${unknown.join(', ')}: a state machine has ${MACHINE_FIELDS.join(', ')}`, at: [unknown[0]] } : undefined;
  }
  if (at[at.length - 1] !== 'States') return undefined;
  // The schema's own rule: a state name is 1 to 80 characters, on one line.
  const bad = Object.keys(value).filter((name) => !/^.{1,80}$/.test(name));
  if (bad.length === 0) return undefined;
  const shown = (name: string) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  return { message: bad.map((name) => `state name ${shown(name)} is ${name.length} characters long: a state name has 1 to 80 characters, on one line`).join('; '), at: [...at, bad[0]] };
}

const JSONATA_ONLY_FIELDS: Record<string, string> = { Arguments: 'Parameters', Output: 'OutputPath or ResultSelector', Items: 'ItemsPath', Condition: 'Variable and a comparison' };
const JSONPATH_ONLY_FIELDS: Record<string, string> = { InputPath: 'Arguments', OutputPath: 'Output', Parameters: 'Arguments', ResultPath: 'Output', ResultSelector: 'Output', ItemsPath: 'Items' };

/** A field that belongs to the other query language, named with what to use instead. */
function mixedLanguageProblem(state: Json | undefined): { field: string; message: string } | undefined {
  if (!isMap(state)) return undefined;
  const jsonata = state.QueryLanguage === 'JSONata';
  const foreign = jsonata ? JSONPATH_ONLY_FIELDS : JSONATA_ONLY_FIELDS;
  const field = Object.keys(foreign).find((name) => name in state);
  if (!field) return undefined;
  const [own, other] = jsonata ? ['JSONata', 'JSONPath'] : ['JSONPath', 'JSONata'];
  return { field, message: `${field} is a ${other} field, but this state uses ${own}: use ${foreign[field]}, or set QueryLanguage: ${other} on the state` };
}

/** The copy handed to asl-validator; see the comment at the top of the file for why. */
function prepareForSchema(definition: JsonMap, problems: Array<{ message: string; at: DefinitionPath }>): JsonMap {
  const copy = structuredClone(definition);
  const language = copy.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath';
  prepareMachine(copy, [], language, problems);
  hidePayloadStates(copy, []);
  return copy;
}

/**
 * asl-validator takes every member named States for a machine's states (`$..States`) and writes
 * into each of its values: a payload field of that name (`"Result": {"States": ["CA", "NY"]}`,
 * which AWS takes like any other) made it throw. The copy it checks has such a member renamed;
 * runAslValidator names it States again in what it reports.
 */
const HIDDEN_STATES = 'States\u0000';

function hidePayloadStates(value: Json, at: Array<string | number>): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => hidePayloadStates(item, [...at, index]));
    return;
  }
  if (!isMap(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const path = [...at, key];
    if (key === 'States' && !isStatesObject(path)) {
      delete value[key];
      value[HIDDEN_STATES] = item;
    }
    hidePayloadStates(item, path);
  }
}

function prepareMachine(machine: JsonMap, base: DefinitionPath, inherited: string, problems: Array<{ message: string; at: DefinitionPath }>): void {
  if (!isMap(machine.States)) return;
  for (const [name, state] of Object.entries(machine.States)) {
    const at = [...base, 'States', name];
    if (!isMap(state)) {
      // Say what is wrong here rather than let the schema check trip over it.
      const hint = name === 'QueryLanguage' || name === 'Comment' || name === 'TimeoutSeconds' || name === 'Version' ? `; ${name} belongs beside StartAt, not inside States` : '';
      problems.push({ message: `States.${name} must be a state (an object with a Type), not ${JSON.stringify(state)}${hint}`, at });
      delete machine.States[name];
      continue;
    }
    checkFields(state, at, problems);
    const language = state.QueryLanguage === 'JSONata' || (state.QueryLanguage === undefined && inherited === 'JSONata') ? 'JSONata' : 'JSONPath';
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, index) => isMap(branch) && prepareMachine(branch, [...at, 'Branches', index], inherited, problems));
    }
    // Nested states inherit the machine's language, not their parent state's, as asl-validator sees it too.
    for (const field of ['ItemProcessor', 'Iterator']) {
      const processor = state[field];
      if (isMap(processor)) prepareMachine(processor, [...at, field], inherited, problems);
    }
    if (typeof state.Resource === 'string' && PLACEHOLDER.test(state.Resource)) state.Resource = DUMMY_ARN;
    // AWS accepts a ResultWriter with WriterConfig alone (a preview of the formatted results, "ResultWriter (Map)");
    // asl-validator's schema still requires Resource, so the schema sees the export form and checks WriterConfig there.
    if (isMap(state.ResultWriter) && state.ResultWriter.Resource === undefined && state.ResultWriter.WriterConfig !== undefined) {
      state.ResultWriter = { ...state.ResultWriter, Resource: 'arn:aws:states:::s3:putObject' };
    }
    if (language === 'JSONPath') jaywayPaths(state, at, problems);
    if (typeof state.ToleratedFailurePercentage === 'number' && state.ToleratedFailurePercentage >= 0 && state.ToleratedFailurePercentage <= 100) {
      state.ToleratedFailurePercentage = Math.floor(state.ToleratedFailurePercentage);
    }
    if (language === 'JSONata') {
      prepareJsonataState(state, at, problems);
    } else {
      for (const holder of [state, isMap(state.ItemReader) ? state.ItemReader : undefined]) {
        if (!holder) continue;
        for (const field of TEMPLATE_FIELDS_JSONPATH) if (holder[field] !== undefined) holder[field] = normaliseArrays(holder[field]);
      }
    }
  }
}

/** The fields each state type has (JSONPath and JSONata together), from the States Language and AWS's guide. */
const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];
const IO = ['InputPath', 'OutputPath', 'Assign', 'Output'];
const TASK_LIKE = [...IO, 'Next', 'End', 'ResultPath', 'ResultSelector', 'Retry', 'Catch'];
const STATE_FIELDS: Record<string, string[]> = {
  Pass: [...IO, 'Next', 'End', 'ResultPath', 'Parameters', 'Result'],
  Task: [...TASK_LIKE, 'Resource', 'Parameters', 'Arguments', 'Credentials', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath'],
  Choice: [...IO, 'Choices', 'Default'],
  Wait: [...IO, 'Next', 'End', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Succeed: ['InputPath', 'OutputPath', 'Output'],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: [...TASK_LIKE, 'Branches', 'Parameters', 'Arguments'],
  Map: [
    ...TASK_LIKE,
    'ItemProcessor', 'Iterator', 'ItemsPath', 'Items', 'ItemSelector', 'Parameters', 'ItemReader', 'ItemBatcher', 'ResultWriter', 'Label',
    'MaxConcurrency', 'MaxConcurrencyPath', 'ToleratedFailureCount', 'ToleratedFailureCountPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
  ],
};

/** A field the state's type does not have is named (the schema would only say the state matches no variant). */
function checkFields(state: JsonMap, at: DefinitionPath, problems: Array<{ message: string; at: DefinitionPath }>): void {
  const allowed = typeof state.Type === 'string' ? STATE_FIELDS[state.Type] : undefined;
  if (!allowed) return;
  for (const field of Object.keys(state)) {
    if (COMMON_FIELDS.includes(field) || allowed.includes(field)) continue;
    problems.push({ message: `a ${state.Type} state has no field ${field}`, at: [...at, field] });
    delete state[field];
  }
  const required = REQUIRED_FIELDS[state.Type as string];
  if (required && state[required] === undefined) problems.push({ message: `a ${state.Type} state needs ${required}`, at });
}

/** The one field a state type cannot do without (a Map's ItemProcessor and a Wait's duration are checked by asl-validator, by name). */
const REQUIRED_FIELDS: Record<string, string> = { Task: 'Resource', Parallel: 'Branches', Choice: 'Choices' };

/** Fields whose value is a path (Jayway's whole grammar: wildcards, filters, `..`). */
const PATH_FIELDS = ['InputPath', 'OutputPath'];
/** Fields whose value is a reference path (one node); ErrorPath and CausePath may be an intrinsic function instead. */
const REFERENCE_FIELDS = ['ResultPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'ErrorPath', 'CausePath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const NESTED_REFERENCE_FIELDS: Array<[string, string | undefined, string]> = [
  ['ItemReader', 'ReaderConfig', 'MaxItemsPath'],
  ['ItemBatcher', undefined, 'MaxItemsPerBatchPath'],
  ['ItemBatcher', undefined, 'MaxInputBytesPerBatchPath'],
];

/**
 * Jayway's `$.[0]` and `$.[?(@.x > 0)]` (a dot before the bracket), which AWS accepts in paths and
 * payload templates, are handed to asl-validator as the equivalent `$[0]` it knows; so are member
 * names with escaped quotes or backslashes (`$['it\'s']`, `$["a\\b"]`), which Jayway reads
 * and asl-validator's path grammar refuses: a plain name takes their place (the engine parses the real one).
 */
const ESCAPED_MEMBER = /\[\s*('(?:[^'\\]|\\.)*\\(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\\(?:[^"\\]|\\.)*")\s*\]/g;

const INTRINSICS = new Set(['Format', 'StringToJson', 'JsonToString', 'Array', 'ArrayPartition', 'ArrayContains', 'ArrayRange', 'ArrayGetItem', 'ArrayLength', 'ArrayUnique', 'Base64Encode', 'Base64Decode', 'Hash', 'JsonMerge', 'MathRandom', 'MathAdd', 'StringSplit', 'UUID']);

/** AWS's words for a value that is not what its field takes, the field named (the pointer alone is lost in CreateStateMachine's one-line error). */
type Refusal = (reason: string) => string;
const notAPath = (field: string): Refusal => (reason) => `The value for the field '${field}' must be a valid JSONPath: ${reason}`;
const notAReferencePath = (field: string): Refusal => (reason) => `The value for the field '${field}' must be a valid Reference Path: ${reason}`;
const notATemplateValue = (key: string): Refusal => (reason) => `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call: ${reason}`;

/**
 * Every path of a JSONPath state goes through the grammar the engine compiles (src/asl/jsonpath.ts),
 * so that `deliv validate` refuses what CreateStateMachine refuses, in the same words (AWS's, with
 * the parser's reason and position after them). A refused path is handed to asl-validator as `$`,
 * not to be refused twice; an accepted one in the form asl-validator knows (see neutralPath).
 */
function jaywayPaths(state: JsonMap, at: DefinitionPath, problems: Array<{ message: string; at: DefinitionPath }>): void {
  /** The value for asl-validator, once `text` (a path, or when `refusal` is undefined a value never evaluated) is checked. */
  const checked = (text: string, where: DefinitionPath, refusal: Refusal | undefined, options: { reference?: boolean; variables?: boolean } = {}): string => {
    // A `${Name}` to be substituted at deploy time is reported as a placeholder, and checked once filled.
    if (PLACEHOLDER.test(text)) return text;
    try {
      const parsed = parsePath(text, { variables: options.variables });
      if (refusal && options.reference && !parsed.definite) {
        problems.push({ message: refusal(`'${text}' can select several nodes: a reference path has names and array indexes only (no wildcards, slices, unions, filters or '..')`), at: where });
        return '$';
      }
      return neutralPath(text, parsed);
    } catch (error) {
      if (!(error instanceof JsonPathSyntaxError) || !refusal) return text;
      problems.push({ message: refusal(error.message), at: where });
      return '$';
    }
  };
  const field = (holder: JsonMap, name: string, where: DefinitionPath, reference = true): void => {
    const value = holder[name];
    if (typeof value !== 'string' || !value.startsWith('$')) return;
    holder[name] = checked(value, [...where, name], (reference ? notAReferencePath : notAPath)(name), { reference, variables: name !== 'ResultPath' });
  };
  for (const name of PATH_FIELDS) field(state, name, at, false);
  for (const name of REFERENCE_FIELDS) field(state, name, at);
  for (const [outer, inner, name] of NESTED_REFERENCE_FIELDS) {
    const holder = isMap(state[outer]) && inner ? (state[outer] as JsonMap)[inner] : state[outer];
    if (isMap(holder)) field(holder, name, [...at, outer, ...(inner ? [inner] : [])]);
  }

  const templates = (value: Json, path: DefinitionPath, evaluated: boolean): Json => {
    if (Array.isArray(value)) return value.map((item, index) => templates(item, [...path, index], evaluated));
    if (!isMap(value)) return value;
    const out: JsonMap = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.endsWith('.$') && typeof item === 'string') {
        const where = [...at, ...path, key];
        // An unknown intrinsic is named, rather than left to a vague "not a payload template".
        const unknown = [...item.matchAll(/States\.([A-Za-z0-9]+)\s*\(/g)].map((match) => match[1]).find((name) => !INTRINSICS.has(name));
        if (unknown) {
          problems.push({ message: `${key}: unknown intrinsic function States.${unknown}`, at: where });
          out[key] = '$';
          continue;
        }
        const refusal = evaluated ? notATemplateValue(key) : undefined;
        out[key] = item.startsWith('$') ? checked(item, where, refusal) : intrinsicPaths(item, (path) => checked(path, where, refusal));
      } else out[key] = templates(item, [...path, key], evaluated);
    }
    return out;
  };
  // A Pass state's Result is never evaluated (PASS_RESULT_IS_STATIC says so): its `.$` values are only made readable to asl-validator.
  for (const name of TEMPLATE_FIELDS_JSONPATH) if (state[name] !== undefined) state[name] = templates(state[name], [name], name !== 'Result');

  if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
    const rule = (value: Json, where: DefinitionPath): void => {
      if (!isMap(value)) return;
      for (const key of Object.keys(value)) if (key === 'Variable' || key.endsWith('Path')) field(value, key, where);
      for (const list of ['And', 'Or']) if (Array.isArray(value[list])) (value[list] as Json[]).forEach((inner, index) => rule(inner, [...where, list, index]));
      if (value.Not !== undefined) rule(value.Not, [...where, 'Not']);
    };
    state.Choices.forEach((entry, index) => {
      rule(entry, [...at, 'Choices', index]);
      if (isMap(entry) && entry.Assign !== undefined) entry.Assign = templates(entry.Assign, ['Choices', index, 'Assign'], true);
    });
  }
  if (Array.isArray(state.Catch)) {
    state.Catch.forEach((catcher, index) => {
      if (!isMap(catcher)) return;
      field(catcher, 'ResultPath', [...at, 'Catch', index]);
      if (catcher.Assign !== undefined) catcher.Assign = templates(catcher.Assign, ['Catch', index, 'Assign'], true);
    });
  }
}

/**
 * A path the grammar accepted, in the form asl-validator's own path grammar knows: Jayway's filters
 * (`&&`, `||`, `!`, `=~ /regex/`, `in`, negative numbers, `$` paths: `$.pets[?(@.species == 'cat' && @.age < 5)]`)
 * become the plain `[?(@)]` it reads, then `$.[` becomes `$[` and escaped member names a plain one.
 */
function neutralPath(text: string, parsed: ParsedPath): string {
  const filters: Array<{ start: number; end: number }> = [];
  const collect = (segment: PathSegment): void => {
    if (segment.kind === 'filter') filters.push(segment);
    else if (segment.kind === 'deep') collect(segment.inner);
  };
  parsed.segments.forEach(collect);
  let out = text;
  for (const { start, end } of filters.reverse()) out = `${out.slice(0, start)}[?(@)]${out.slice(end)}`;
  return out.replace(/^(\$\$?)\.\[/, '$1[').replace(ESCAPED_MEMBER, "['escaped']");
}

/** An intrinsic function call with each path argument replaced by `replace(path)` (string literals are left alone). */
function intrinsicPaths(text: string, replace: (path: string) => string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === "'") {
      let close = index + 1;
      while (close < text.length && text[close] !== "'") close += text[close] === '\\' ? 2 : 1;
      out += text.slice(index, close + 1);
      index = close + 1;
    } else if (char === '$' && /[(,]\s*$/.test(text.slice(0, index))) {
      const end = pathEnd(text, index);
      const path = text.slice(index, end);
      const trimmed = path.trimEnd();
      out += replace(trimmed) + path.slice(trimmed.length);
      index = end;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** Parses every `{% %}` expression of a JSONata state and hands asl-validator neutral equivalents. */
function prepareJsonataState(state: JsonMap, at: DefinitionPath, problems: Array<{ message: string; at: DefinitionPath }>): void {
  const visit = (value: Json, path: DefinitionPath, inNested: boolean): Json => {
    if (typeof value === 'string') {
      const trimmed = value.trim();
      const match = JSONATA.exec(trimmed);
      if (match) {
        // A `${Name}` to be substituted at deploy time is checked with a neutral name in its place (its own warning comes below).
        const issue = jsonataSyntaxProblem(match[1].replace(placeholderPattern('g'), 'placeholder'));
        if (issue) problems.push({ message: `invalid JSONata expression: ${issue}`, at: path });
        return '{% 0 %}';
      }
      if (trimmed.startsWith('{%')) problems.push({ message: 'a JSONata expression must end with %}', at: path });
      return value;
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index], inNested));
    if (isMap(value)) {
      // Branches and processors are sub-machines handled on their own.
      if (!inNested && (path.length === at.length + 1) && ['Branches', 'ItemProcessor', 'Iterator'].includes(String(path[path.length - 1]))) return value;
      const result: JsonMap = {};
      for (const [key, item] of Object.entries(value)) result[key] = visit(item, [...path, key], inNested);
      return result;
    }
    return value;
  };
  for (const [key, value] of Object.entries(state)) {
    if (['Branches', 'ItemProcessor', 'Iterator'].includes(key)) continue;
    state[key] = visit(value, [...at, key], false);
  }
  const neutral = (value: Json | undefined): Json => (value === '{% 0 %}' ? value : {});
  for (const field of TEMPLATE_FIELDS_JSONATA) if (state[field] !== undefined) state[field] = neutral(state[field]);
  for (const list of ['Choices', 'Catch']) {
    const entries = state[list];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (!isMap(entry)) continue;
      for (const field of ['Output', 'Assign']) if (entry[field] !== undefined) entry[field] = neutral(entry[field]);
    }
  }
  if (isMap(state.ItemBatcher) && state.ItemBatcher.BatchInput !== undefined) state.ItemBatcher.BatchInput = neutral(state.ItemBatcher.BatchInput);
  if (state.Items !== undefined && state.Items !== '{% 0 %}') state.Items = [];
  for (const holder of [state.ItemReader, state.ResultWriter]) {
    if (isMap(holder) && holder.Arguments !== undefined) holder.Arguments = neutral(holder.Arguments);
  }
}

let jsonataParser: ((expression: string) => unknown) | undefined;

function jsonataSyntaxProblem(expression: string): string | undefined {
  jsonataParser ??= requireFromHere('jsonata') as (expression: string) => unknown;
  try {
    jsonataParser(expression);
    return undefined;
  } catch (error) {
    return (error as { message?: string }).message ?? String(error);
  }
}

/** asl-validator's payload template arrays refuse null, "" and `{% %}` literals that AWS takes as constants. */
function normaliseArrays(value: Json, inArray = false): Json {
  if (Array.isArray(value)) return value.map((item) => normaliseArrays(item, true));
  if (isMap(value)) {
    const result: JsonMap = {};
    for (const [key, item] of Object.entries(value)) result[key] = normaliseArrays(item, false);
    return result;
  }
  if (inArray && (value === null || value === '' || (typeof value === 'string' && value.startsWith('{% ')))) return 0;
  return value;
}

// ---------------------------------------------------------------- helpers

function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toPointer(at: DefinitionPath): string {
  return at.length === 0 ? '/' : `/${at.map((segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

/** A JSON pointer turned into a definition path, numbers where the value is an array. */
function fromPointer(root: Json, pointer: string): DefinitionPath {
  const segments = pointer.split('/').slice(1).map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  const path: Array<string | number> = [];
  let node: Json | undefined = root;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node = isMap(node) ? node[segment] : undefined;
    }
  }
  return path;
}

function valueAt(root: Json, at: DefinitionPath): Json | undefined {
  let node: Json | undefined = root;
  for (const segment of at) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isMap(node)) node = node[String(segment)];
    else return undefined;
  }
  return node;
}

/** Whether `at` lies in a state whose Type is not a state type: the schema then says nothing useful. */
function insideUnknownType(root: Json, at: DefinitionPath): boolean {
  for (let index = 0; index < at.length - 1; index += 1) {
    if (at[index] !== 'States') continue;
    const state = valueAt(root, at.slice(0, index + 2));
    if (isMap(state) && (typeof state.Type !== 'string' || !STATE_TYPES.includes(state.Type))) return true;
  }
  return false;
}

function containsPlaceholder(value: Json | undefined): boolean {
  if (typeof value === 'string') return PLACEHOLDER.test(value);
  if (Array.isArray(value)) return value.some(containsPlaceholder);
  if (isMap(value)) return Object.values(value).some(containsPlaceholder);
  return false;
}

function findPlaceholder(value: Json, name: string, at: DefinitionPath): DefinitionPath | undefined {
  if (typeof value === 'string') return value.includes(`\${${name}}`) ? at : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findPlaceholder(item, name, [...at, index]);
      if (found) return found;
    }
  } else if (isMap(value)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findPlaceholder(item, name, [...at, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** `["States","P","Branches",0,"States","Pay","Retry",1]` → `P.Pay`. */
function stateOf(at: DefinitionPath): string {
  const names: string[] = [];
  for (let index = 0; index < at.length - 1; index += 1) if (at[index] === 'States' && isStatesObject(at.slice(0, index + 1))) names.push(String(at[index + 1]));
  return names.join('.');
}

function lastSegment(at: DefinitionPath | undefined): string {
  if (!at || at.length === 0) return 'the definition';
  return String(at[at.length - 1]);
}

/** Drops repeated problems (the same message at the same place). */
export function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.severity}|${problem.pointer}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `file:line:col` for terminals and editors. */
export function formatProblem(problem: Problem): string {
  const where = problem.state ? ` [${problem.state}]` : '';
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.severity}: ${problem.message}${where} (${problem.code} at ${problem.pointer})`;
}
