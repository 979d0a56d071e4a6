/**
 * JSONPath payload templates (Parameters, ResultSelector, ItemSelector, Assign):
 * a key ending in `.$` takes its value from a path on the input (`$`), the
 * context object (`$$`), a variable (`$name`), or an intrinsic function; every
 * other value is copied as written. Constant sub-trees are built once and
 * shared between evaluations.
 */
import type { JsonValue } from '../asl/types.js';
import { StatesError } from './errors.js';
import { compileIntrinsic, IntrinsicSyntaxError, isIntrinsic } from './intrinsics.js';
import { compileScopePath, JsonPathSyntaxError, pathSource } from './jsonpath.js';
import { formatJson } from './json-format.js';
import type { EvalScope, ExpressionProblem } from './scope.js';
import { StatesErrors } from '../asl/errors.js';

export class PayloadSyntaxError extends Error {
  constructor(readonly problems: ExpressionProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'PayloadSyntaxError';
  }
}

type Node = { constant: true; value: JsonValue } | { constant: false; evaluate: (scope: EvalScope) => JsonValue };

/**
 * Compiles the value of a `.$` key: a path or an intrinsic function call. The
 * evaluator throws States.Runtime when a path selects nothing, with AWS's cause.
 */
export function compileDynamicValue(expression: string, key: string): (scope: EvalScope) => JsonValue {
  if (isIntrinsic(expression)) return compileIntrinsic(expression);
  const get = compileScopePath(expression);
  return (scope) => {
    const value = get(scope);
    if (value === undefined) throw pathNotFound(expression, key, pathSource(expression, scope));
    return value;
  };
}

/** AWS's cause when a `.$` path selects nothing; `input` is what the path read (the context object for `$$` paths). */
export function pathNotFound(path: string, key: string, input: JsonValue): StatesError {
  return new StatesError(StatesErrors.Runtime, `The JSONPath '${path}' specified for the field '${key}' could not be found in the input '${formatJson(input)}'`);
}

function dynamicProblem(key: string, value: JsonValue): string | undefined {
  if (typeof value !== 'string') return `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`;
  return undefined;
}

function compileNode(template: JsonValue, field: string, problems: ExpressionProblem[]): Node {
  if (Array.isArray(template)) {
    const items = template.map((item, i) => compileNode(item, `${field}[${i}]`, problems));
    if (items.every((n) => n.constant)) return { constant: true, value: template };
    const evaluators = items.map((n) => (n.constant ? () => n.value : n.evaluate));
    return { constant: false, evaluate: (scope) => evaluators.map((e) => e(scope)) };
  }
  if (typeof template !== 'object' || template === null) return { constant: true, value: template };

  const keys: string[] = [];
  const nodes: Node[] = [];
  let dynamic = false;
  for (const key of Object.keys(template)) {
    const value = template[key];
    const childField = `${field}/${key}`;
    if (key.length > 2 && key.endsWith('.$')) {
      const problem = dynamicProblem(key, value);
      if (problem) {
        problems.push({ field: childField, message: problem });
        continue;
      }
      try {
        keys.push(key.slice(0, -2));
        nodes.push({ constant: false, evaluate: compileDynamicValue(value as string, key) });
        dynamic = true;
      } catch (error) {
        if (!(error instanceof JsonPathSyntaxError || error instanceof IntrinsicSyntaxError)) throw error;
        keys.pop();
        problems.push({ field: childField, message: `The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call: ${error.message}` });
      }
      continue;
    }
    const node = compileNode(value, childField, problems);
    if (!node.constant) dynamic = true;
    keys.push(key);
    nodes.push(node);
  }
  if (!dynamic) return { constant: true, value: template };
  const count = keys.length;
  const constants = nodes.map((n) => (n.constant ? n.value : undefined));
  const evaluators = nodes.map((n) => (n.constant ? undefined : n.evaluate));
  return {
    constant: false,
    evaluate: (scope) => {
      const out: { [key: string]: JsonValue } = {};
      for (let i = 0; i < count; i++) {
        const evaluate = evaluators[i];
        out[keys[i]] = evaluate === undefined ? (constants[i] as JsonValue) : evaluate(scope);
      }
      return out;
    },
  };
}

/**
 * Compiles a payload template once. `field` names it in problems
 * (`Parameters`, `ResultSelector`, `ItemSelector`, `Assign`). Throws
 * PayloadSyntaxError listing every malformed `.$` value; the returned closure
 * throws StatesError (States.Runtime, States.IntrinsicFailure) at run time.
 * Constant parts of the result are shared between calls: never mutate them.
 */
export function compilePayload(template: JsonValue, field: string): (scope: EvalScope) => JsonValue {
  const problems: ExpressionProblem[] = [];
  const node = compileNode(template, field, problems);
  if (problems.length) throw new PayloadSyntaxError(problems);
  if (node.constant) {
    const value = node.value;
    return () => value;
  }
  return node.evaluate;
}

/** Compile-time check of a payload template: every problem, none thrown. */
export function checkPayload(template: JsonValue, field: string): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  compileNode(template, field, problems);
  return problems;
}
