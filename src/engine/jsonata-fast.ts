/**
 * A synchronous evaluator for the small JSONata expressions that make up most
 * state machines (`$states.input.count + 1`, `$done = true`, `$not($x.ok)`),
 * compiled from the jsonata package's own parse tree. It covers only cases
 * whose meaning is plain: objects walked by name, numbers, strings and
 * booleans. Anything else (arrays, missing values, other types, functions)
 * answers FALLBACK and the caller evaluates with the jsonata package, so
 * results and errors stay exactly JSONata's.
 */
import type { JsonValue } from '../asl/types.js';
import type { EvalScope } from './scope.js';

export const FALLBACK: unique symbol = Symbol('jsonata-fallback');
export type FastResult = JsonValue | typeof FALLBACK;
export type FastEvaluator = (scope: EvalScope) => FastResult;

interface Node {
  type: string;
  value?: unknown;
  lhs?: Node;
  rhs?: Node;
  steps?: Node[];
  expression?: Node;
  expressions?: Node[];
  condition?: Node;
  then?: Node;
  else?: Node;
  procedure?: Node;
  arguments?: Node[];
  [key: string]: unknown;
}

const hasOwn = Object.prototype.hasOwnProperty;

function plain(node: Node, allowed: string[]): boolean {
  return Object.keys(node).every((key) => key === 'type' || key === 'value' || key === 'position' || allowed.includes(key));
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readStates(scope: EvalScope, name: string): JsonValue | undefined {
  const states = scope.states;
  switch (name) {
    case 'input':
      return states?.input !== undefined ? states.input : scope.input;
    case 'context':
      return states?.context !== undefined ? states.context : scope.context;
    case 'result':
      return states?.result;
    case 'errorOutput':
      return states?.errorOutput;
    default:
      return undefined;
  }
}

function compilePath(steps: Node[]): FastEvaluator | undefined {
  if (steps.length === 0 || steps[0].type !== 'variable' || !plain(steps[0], [])) return undefined;
  const names: string[] = [];
  for (const step of steps.slice(1)) {
    if (step.type !== 'name' || !plain(step, []) || typeof step.value !== 'string') return undefined;
    names.push(step.value);
  }
  const variable = steps[0].value as string;
  const fromStates = variable === 'states' && names.length > 0;
  const rest = fromStates ? names.slice(1) : names;
  const first = fromStates ? names[0] : '';
  return (scope) => {
    let value: JsonValue | undefined;
    if (fromStates) {
      value = readStates(scope, first);
    } else {
      const variables = scope.variables;
      value = hasOwn.call(variables, variable) ? variables[variable] : undefined;
    }
    for (let i = 0; i < rest.length; i++) {
      if (!isObject(value) || !hasOwn.call(value, rest[i])) return FALLBACK;
      value = value[rest[i]];
    }
    // Arrays take part in JSONata's sequence rules: leave them to the real thing.
    if (value === undefined || (Array.isArray(value) && (rest.length > 0 || fromStates))) return FALLBACK;
    return value;
  };
}

function arithmetic(op: string, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    default:
      return l % r;
  }
}

function compileBinary(node: Node): FastEvaluator | undefined {
  const op = node.value as string;
  const lhs = compileNode(node.lhs as Node);
  const rhs = compileNode(node.rhs as Node);
  if (!lhs || !rhs) return undefined;
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (scope) => {
        const l = lhs(scope);
        const r = rhs(scope);
        if (typeof l !== 'number' || typeof r !== 'number') return FALLBACK;
        const value = arithmetic(op, l, r);
        return Number.isFinite(value) ? value : FALLBACK;
      };
    case '=':
    case '!=':
      return (scope) => {
        const l = lhs(scope);
        const r = rhs(scope);
        if (l === FALLBACK || r === FALLBACK || typeof l === 'object' || typeof r === 'object') return FALLBACK;
        return op === '=' ? l === r : l !== r;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (scope) => {
        const l = lhs(scope);
        const r = rhs(scope);
        if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string'))) return FALLBACK;
        if (op === '<') return l < r;
        if (op === '<=') return l <= r;
        if (op === '>') return l > r;
        return l >= r;
      };
    case 'and':
    case 'or':
      return (scope) => {
        const l = lhs(scope);
        if (typeof l !== 'boolean') return FALLBACK;
        if (op === 'and' ? !l : l) return l;
        const r = rhs(scope);
        return typeof r === 'boolean' ? r : FALLBACK;
      };
    case '&':
      return (scope) => {
        const l = lhs(scope);
        const r = rhs(scope);
        return typeof l === 'string' && typeof r === 'string' ? l + r : FALLBACK;
      };
    default:
      return undefined;
  }
}

function compileNode(node: Node): FastEvaluator | undefined {
  switch (node.type) {
    case 'number':
    case 'string':
    case 'value': {
      if (!plain(node, [])) return undefined;
      const value = node.value as JsonValue;
      return () => value;
    }
    case 'variable':
      return plain(node, []) ? compilePath([node]) : undefined;
    case 'path':
      return plain(node, ['steps']) ? compilePath(node.steps as Node[]) : undefined;
    case 'binary':
      return plain(node, ['lhs', 'rhs']) ? compileBinary(node) : undefined;
    case 'unary': {
      if (node.value === '{') return compileObject(node);
      if (node.value === '[') return compileArray(node);
      if (node.value !== '-' || !plain(node, ['expression'])) return undefined;
      const inner = compileNode(node.expression as Node);
      if (!inner) return undefined;
      return (scope) => {
        const value = inner(scope);
        return typeof value === 'number' ? -value : FALLBACK;
      };
    }
    case 'condition': {
      if (!plain(node, ['condition', 'then', 'else']) || !node.else) return undefined;
      const test = compileNode(node.condition as Node);
      const then = compileNode(node.then as Node);
      const otherwise = compileNode(node.else);
      if (!test || !then || !otherwise) return undefined;
      return (scope) => {
        const value = test(scope);
        if (typeof value !== 'boolean') return FALLBACK;
        return value ? then(scope) : otherwise(scope);
      };
    }
    case 'function': {
      const procedure = node.procedure;
      const args = node.arguments ?? [];
      if (!plain(node, ['procedure', 'arguments']) || procedure?.type !== 'variable' || procedure.value !== 'not' || args.length !== 1) return undefined;
      const inner = compileNode(args[0]);
      if (!inner) return undefined;
      return (scope) => {
        // A variable named `not` would shadow the function: let JSONata decide then.
        if (hasOwn.call(scope.variables, 'not')) return FALLBACK;
        const value = inner(scope);
        return typeof value === 'boolean' ? !value : FALLBACK;
      };
    }
    default:
      return undefined;
  }
}

/** `{"key": value, ...}` with literal keys; a value that is not plain sends the whole object back to JSONata. */
function compileObject(node: Node): FastEvaluator | undefined {
  const pairs = node.lhs as unknown as Array<[Node, Node]>;
  if (!plain(node, ['lhs']) || !Array.isArray(pairs)) return undefined;
  const keys: string[] = [];
  const values: FastEvaluator[] = [];
  for (const [key, value] of pairs) {
    // Repeated keys are a JSONata error (D1009): leave them to JSONata.
    if (key.type !== 'string' || !plain(key, []) || keys.includes(key.value as string)) return undefined;
    const evaluate = compileNode(value);
    if (!evaluate) return undefined;
    keys.push(key.value as string);
    values.push(evaluate);
  }
  return (scope) => {
    const out: Record<string, JsonValue> = {};
    for (let i = 0; i < keys.length; i++) {
      const value = values[i](scope);
      if (value === FALLBACK) return FALLBACK;
      out[keys[i]] = value;
    }
    return out;
  };
}

/** `[a, b]` whose items are not arrays (JSONata would splice those in). */
function compileArray(node: Node): FastEvaluator | undefined {
  const items = node.expressions as Node[] | undefined;
  if (!plain(node, ['expressions']) || !Array.isArray(items)) return undefined;
  const evaluators = items.map(compileNode);
  if (evaluators.some((e) => e === undefined)) return undefined;
  const compiled = evaluators as FastEvaluator[];
  return (scope) => {
    const out: JsonValue[] = [];
    for (const evaluate of compiled) {
      const value = evaluate(scope);
      if (value === FALLBACK || Array.isArray(value)) return FALLBACK;
      out.push(value);
    }
    return out;
  };
}

/** A synchronous evaluator for the parse tree, or undefined when it is outside the plain subset. */
export function compileFast(ast: unknown): FastEvaluator | undefined {
  return compileNode(ast as Node);
}
