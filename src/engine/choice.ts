/**
 * Choice rules compiled to predicates. JSONPath rules compare the value at
 * `Variable` with a literal or with the value at a `…Path`; a comparison
 * between values of the wrong type is false, as on AWS. JSONata rules
 * evaluate `Condition`, which must produce a boolean.
 */
import type { ChoiceRule, JsonValue, QueryLanguage } from '../asl/types.js';
import { StatesError } from './errors.js';
import { compileJsonataValue, jsonataExpression, JsonataSyntaxError, QueryEvaluationError, unexpectedTypeCause } from './jsonata.js';
import { checkPath, compileScopePath, JsonPathSyntaxError } from './jsonpath.js';
import type { EvalScope, ExpressionProblem } from './scope.js';
import { parseTimestamp, compareTimestamps, type Timestamp } from './timestamp.js';
import { StatesErrors } from '../asl/errors.js';

export type ChoicePredicate = (scope: EvalScope) => boolean | Promise<boolean>;

export class ChoiceRuleError extends Error {
  constructor(readonly problems: ExpressionProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ChoiceRuleError';
  }
}

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const KINDS: Kind[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];
const RELATIONS: Relation[] = ['Equals', 'LessThan', 'GreaterThan', 'LessThanEquals', 'GreaterThanEquals'];
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/** Every comparison operator name, `…Path` forms included. */
export const COMPARISON_OPERATORS: readonly string[] = [
  ...KINDS.flatMap((kind) => RELATIONS.filter((r) => kind !== 'Boolean' || r === 'Equals').flatMap((r) => [`${kind}${r}`, `${kind}${r}Path`])),
  'StringMatches',
  ...TYPE_TESTS,
];

function relationHolds(relation: Relation, diff: number): boolean {
  switch (relation) {
    case 'Equals':
      return diff === 0;
    case 'LessThan':
      return diff < 0;
    case 'GreaterThan':
      return diff > 0;
    case 'LessThanEquals':
      return diff <= 0;
    case 'GreaterThanEquals':
      return diff >= 0;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `*` matches any run of characters; `\*` is a literal star and `\\` a literal
 * backslash. Matched by the classic two-pointer wildcard scan, O(pattern ×
 * value) at worst: a regular expression `^.*a.*a.*a…$` would backtrack
 * polynomially (ReDoS) on a long value.
 */
export function compileStringMatches(pattern: string): (value: string) => boolean {
  // Literal characters, with null for each unescaped star.
  const tokens: (string | null)[] = [];
  const source = Array.from(pattern);
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && (source[i + 1] === '*' || source[i + 1] === '\\')) tokens.push(source[++i]);
    else tokens.push(c === '*' ? null : c);
  }
  return (value) => {
    const text = Array.from(value);
    let t = 0;
    let p = 0;
    let star = -1;
    let resume = 0;
    while (t < text.length) {
      if (p < tokens.length && tokens[p] !== null && tokens[p] === text[t]) {
        t++;
        p++;
      } else if (p < tokens.length && tokens[p] === null) {
        star = p++;
        resume = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++resume;
      } else {
        return false;
      }
    }
    while (p < tokens.length && tokens[p] === null) p++;
    return p === tokens.length;
  };
}

/** The comparison operator of a rule (the one key that is not Variable, Next, Assign, Output, Comment). */
function operatorOf(rule: ChoiceRule): string[] {
  return Object.keys(rule).filter((key) => !['Variable', 'Next', 'Assign', 'Output', 'Comment', 'And', 'Or', 'Not', 'Condition'].includes(key));
}

function operandChecker(kind: Kind, expected: JsonValue): string | undefined {
  switch (kind) {
    case 'String':
      return typeof expected === 'string' ? undefined : 'must be a string';
    case 'Numeric':
      return typeof expected === 'number' ? undefined : 'must be a number';
    case 'Boolean':
      return typeof expected === 'boolean' ? undefined : 'must be a boolean';
    case 'Timestamp':
      return typeof expected === 'string' && parseTimestamp(expected) ? undefined : 'must be an RFC3339 timestamp string';
  }
}

function comparison(kind: Kind, relation: Relation, left: JsonValue | undefined, right: JsonValue | undefined): boolean {
  switch (kind) {
    case 'String':
      return typeof left === 'string' && typeof right === 'string' && relationHolds(relation, compareStrings(left, right));
    case 'Numeric':
      return typeof left === 'number' && typeof right === 'number' && relationHolds(relation, left - right);
    case 'Boolean':
      return typeof left === 'boolean' && left === right;
    case 'Timestamp': {
      if (typeof left !== 'string' || typeof right !== 'string') return false;
      const a = parseTimestamp(left);
      const b = parseTimestamp(right);
      return a !== undefined && b !== undefined && relationHolds(relation, compareTimestamps(a, b));
    }
  }
}

function missingVariable(path: string): StatesError {
  return new StatesError(StatesErrors.Runtime, `Invalid path '${path}': The choice state's condition path references an invalid value.`);
}

function compileJsonPathRule(rule: ChoiceRule, field: string, problems: ExpressionProblem[]): (scope: EvalScope) => boolean {
  const never = () => false;
  if (rule.And !== undefined || rule.Or !== undefined) {
    const name = rule.And !== undefined ? 'And' : 'Or';
    const list = rule[name];
    if (!Array.isArray(list) || list.length === 0) {
      problems.push({ field: `${field}/${name}`, message: `${name} must be a non-empty array of rules` });
      return never;
    }
    const parts = list.map((r, i) => compileJsonPathRule(r, `${field}/${name}[${i}]`, problems));
    if (name === 'And') return (scope) => parts.every((p) => p(scope));
    return (scope) => parts.some((p) => p(scope));
  }
  if (rule.Not !== undefined) {
    if (typeof rule.Not !== 'object' || rule.Not === null || Array.isArray(rule.Not)) {
      problems.push({ field: `${field}/Not`, message: 'Not must be a rule object' });
      return never;
    }
    const inner = compileJsonPathRule(rule.Not, `${field}/Not`, problems);
    return (scope) => !inner(scope);
  }

  const variablePath = rule.Variable;
  const pathProblem = checkPath(variablePath);
  if (pathProblem) {
    problems.push({ field: `${field}/Variable`, message: variablePath === undefined ? 'a rule needs Variable and a comparison operator, or And, Or, Not' : pathProblem });
    return never;
  }
  const variable = compileScopePath(variablePath as string);
  const operators = operatorOf(rule);
  if (operators.length !== 1) {
    problems.push({ field, message: operators.length === 0 ? 'the rule has no comparison operator' : `the rule has more than one comparison operator: ${operators.join(', ')}` });
    return never;
  }
  const operator = operators[0];
  const expected = rule[operator] as JsonValue;
  const problem = (message: string) => {
    problems.push({ field: `${field}/${operator}`, message });
    return never;
  };

  const read = (scope: EvalScope) => {
    const value = variable(scope);
    if (value === undefined) throw missingVariable(variablePath as string);
    return value;
  };

  if ((TYPE_TESTS as readonly string[]).includes(operator)) {
    if (typeof expected !== 'boolean') return problem(`${operator} must be true or false`);
    const test = typeTest(operator as (typeof TYPE_TESTS)[number]);
    if (operator === 'IsPresent') return (scope) => (variable(scope) !== undefined) === expected;
    // Only IsPresent may look at a missing value; the other tests fail the state like any comparison.
    return (scope) => test(read(scope)) === expected;
  }

  if (operator === 'StringMatches') {
    if (typeof expected !== 'string') return problem('StringMatches must be a string');
    const matches = compileStringMatches(expected);
    return (scope) => {
      const value = read(scope);
      return typeof value === 'string' && matches(value);
    };
  }

  const match = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)(Path)?$/.exec(operator);
  if (!match || (match[1] === 'Boolean' && match[2] !== 'Equals')) return problem(`unknown comparison operator ${operator}`);
  const kind = match[1] as Kind;
  const relation = match[2] as Relation;
  if (match[3]) {
    const pathProblem = checkPath(expected);
    if (pathProblem) return problem(pathProblem);
    const other = compileScopePath(expected as string);
    return (scope) => {
      const right = other(scope);
      if (right === undefined) throw missingVariable(expected as string);
      return comparison(kind, relation, read(scope), right);
    };
  }
  const typeProblem = operandChecker(kind, expected);
  if (typeProblem) return problem(`${operator} ${typeProblem}`);
  if (kind === 'Numeric') {
    const n = expected as number;
    return (scope) => {
      const value = read(scope);
      return typeof value === 'number' && relationHolds(relation, value - n);
    };
  }
  if (kind === 'Timestamp') {
    const t = parseTimestamp(expected as string) as Timestamp;
    return (scope) => {
      const value = read(scope);
      if (typeof value !== 'string') return false;
      const parsed = parseTimestamp(value);
      return parsed !== undefined && relationHolds(relation, compareTimestamps(parsed, t));
    };
  }
  return (scope) => comparison(kind, relation, read(scope), expected);
}

function typeTest(operator: (typeof TYPE_TESTS)[number]): (value: JsonValue) => boolean {
  switch (operator) {
    case 'IsNull':
      return (value) => value === null;
    case 'IsPresent':
      return () => true;
    case 'IsNumeric':
      return (value) => typeof value === 'number';
    case 'IsString':
      return (value) => typeof value === 'string';
    case 'IsBoolean':
      return (value) => typeof value === 'boolean';
    case 'IsTimestamp':
      return (value) => typeof value === 'string' && parseTimestamp(value) !== undefined;
  }
}

function compileCondition(rule: ChoiceRule, field: string, problems: ExpressionProblem[]): ChoicePredicate {
  const condition = rule.Condition;
  const conditionField = `${field}/Condition`;
  if (typeof condition === 'boolean') return () => condition;
  const expression = jsonataExpression(condition);
  if (expression === undefined) {
    problems.push({ field: conditionField, message: 'Condition must be a boolean or a JSONata expression {% ... %}' });
    return () => false;
  }
  try {
    const evaluate = compileJsonataValue(condition as string, conditionField);
    const check = (value: JsonValue): boolean => {
      if (typeof value !== 'boolean') throw new QueryEvaluationError(unexpectedTypeCause(expression, conditionField, 'boolean', value), conditionField);
      return value;
    };
    return (scope) => {
      const value = evaluate(scope);
      return value instanceof Promise ? value.then(check) : check(value);
    };
  } catch (error) {
    if (!(error instanceof JsonataSyntaxError)) throw error;
    problems.push(...error.problems);
    return () => false;
  }
}

function compile(rule: ChoiceRule, language: QueryLanguage, field: string, problems: ExpressionProblem[]): ChoicePredicate {
  if (language === 'JSONata') return compileCondition(rule, field, problems);
  try {
    return compileJsonPathRule(rule, field, problems);
  } catch (error) {
    if (!(error instanceof JsonPathSyntaxError)) throw error;
    problems.push({ field, message: error.message });
    return () => false;
  }
}

/**
 * Compiles one rule of a Choice state's `Choices`. `field` names it in
 * messages (`Choices[0]`). Throws ChoiceRuleError with every problem when the
 * rule is malformed. JSONPath predicates are synchronous; JSONata ones are
 * too when the condition is plain, and return a Promise otherwise.
 */
export function compileChoiceRule(rule: ChoiceRule, language: QueryLanguage, field = 'Choices'): ChoicePredicate {
  const problems: ExpressionProblem[] = [];
  const predicate = compile(rule, language, field, problems);
  if (problems.length) throw new ChoiceRuleError(problems);
  return predicate;
}

/** Compile-time check of a rule: every problem, none thrown. */
export function checkChoiceRule(rule: ChoiceRule, language: QueryLanguage, field = 'Choices'): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  compile(rule, language, field, problems);
  return problems;
}
