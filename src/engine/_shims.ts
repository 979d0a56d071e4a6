/**
 * Temporary stand-ins for the expression layer (engine-expr's jsonpath,
 * payload, choice, jsonata modules) so the core can run before theirs lands.
 * Deleted once their modules are merged.
 */
import jsonata from 'jsonata';
import type { ChoiceRule, JsonValue, QueryLanguage } from '../asl/types.js';
import { StatesError } from './errors.js';

export interface EvalScope {
  input: JsonValue;
  context: JsonValue;
  variables: Record<string, JsonValue>;
  states?: { input?: JsonValue; result?: JsonValue; errorOutput?: JsonValue; context?: JsonValue };
}

function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g;
  let match: RegExpExecArray | null;
  const body = path.slice(1);
  let consumed = 0;
  while ((match = re.exec(body)) !== null) {
    if (match.index !== consumed) throw new Error(`bad path ${path}`);
    consumed = re.lastIndex;
    out.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : match[3]));
  }
  if (consumed !== body.length || !path.startsWith('$')) throw new Error(`bad path ${path}`);
  return out;
}

export function compilePath(path: string): (root: JsonValue) => JsonValue | undefined {
  const segs = segments(path);
  return (root) => {
    let value: JsonValue | undefined = root;
    for (const seg of segs) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, JsonValue>)[seg as string];
      if (value === undefined) return undefined;
    }
    return value;
  };
}

export function applyResultPath(input: JsonValue, resultPath: string | null | undefined, result: JsonValue): JsonValue {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const segs = segments(resultPath);
  const root: JsonValue = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...input } : {};
  let node = root as Record<string, JsonValue>;
  for (let i = 0; i < segs.length - 1; i += 1) {
    const key = segs[i] as string;
    const child = node[key];
    node[key] = child !== null && typeof child === 'object' && !Array.isArray(child) ? { ...child } : {};
    node = node[key] as Record<string, JsonValue>;
  }
  node[segs[segs.length - 1] as string] = result;
  return root;
}

function resolveRef(ref: string, scope: EvalScope): JsonValue | undefined {
  if (ref.startsWith('$$')) return compilePath('$' + ref.slice(2))(scope.context);
  if (ref.startsWith('$.') || ref === '$' || ref.startsWith('$[')) return compilePath(ref)(scope.input);
  const name = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(ref)?.[1] ?? '';
  return compilePath('$' + ref.slice(1 + name.length))(scope.variables[name]);
}

export function compilePayload(template: JsonValue, field: string): (scope: EvalScope) => JsonValue {
  const build = (node: JsonValue, scope: EvalScope): JsonValue => {
    if (Array.isArray(node)) return node.map((item) => build(item, scope));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith('.$') && typeof value === 'string') {
        const math = /^States\.MathAdd\((.+),\s*(-?\d+)\)$/.exec(value);
        const resolved = math ? (resolveRef(math[1], scope) as number) + Number(math[2]) : resolveRef(value, scope);
        if (resolved === undefined) throw new StatesError('States.Runtime', `The JSONPath '${value}' specified for the field '${key}' could not be found in the input '${JSON.stringify(scope.input)}'`);
        out[key.slice(0, -2)] = resolved;
      } else out[key] = build(value, scope);
    }
    return out;
  };
  void field;
  return (scope) => build(template, scope);
}

export function compileChoiceRule(rule: ChoiceRule, language: QueryLanguage): (scope: EvalScope) => boolean | Promise<boolean> {
  if (language === 'JSONata') {
    const evaluate = compileJsonataValue(rule.Condition as JsonValue, 'Condition');
    return async (scope) => (await evaluate(scope)) === true;
  }
  if (rule.And) {
    const parts = rule.And.map((r) => compileChoiceRule(r, language));
    return (scope) => parts.every((p) => p(scope) === true);
  }
  if (rule.Or) {
    const parts = rule.Or.map((r) => compileChoiceRule(r, language));
    return (scope) => parts.some((p) => p(scope) === true);
  }
  if (rule.Not) {
    const inner = compileChoiceRule(rule.Not, language);
    return (scope) => !inner(scope);
  }
  const variable = rule.Variable ?? '$';
  for (const [op, expected] of Object.entries(rule)) {
    const cmp = (a: number | string, b: number | string): boolean =>
      op.includes('GreaterThanEquals') ? a >= b : op.includes('LessThanEquals') ? a <= b : op.includes('GreaterThan') ? a > b : op.includes('LessThan') ? a < b : a === b;
    if (/^(Numeric|String|Boolean)(Equals|GreaterThan|GreaterThanEquals|LessThan|LessThanEquals)(Path)?$/.test(op)) {
      const kind = op.startsWith('Numeric') ? 'number' : op.startsWith('String') ? 'string' : 'boolean';
      return (scope) => {
        const actual = resolveRef(variable, scope);
        const other = op.endsWith('Path') ? resolveRef(expected as string, scope) : expected;
        return typeof actual === kind && typeof other === kind && cmp(actual as number, other as number);
      };
    }
    if (op === 'IsPresent') return (scope) => (resolveRef(variable, scope) !== undefined) === expected;
    if (op === 'IsNull') return (scope) => (resolveRef(variable, scope) === null) === expected;
  }
  return () => false;
}

export function compileJsonataValue(value: JsonValue, field: string): (scope: EvalScope) => JsonValue | Promise<JsonValue> {
  if (typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}')) {
    const expression = jsonata(value.slice(2, -2).trim());
    return async (scope) => {
      const bindings: Record<string, unknown> = { ...scope.variables, states: scope.states ?? { input: scope.input, context: scope.context } };
      const result = (await expression.evaluate(null, bindings)) as JsonValue | undefined;
      if (result === undefined) throw new StatesError('States.QueryEvaluationError', `The JSONata expression '${value.slice(2, -2).trim()}' specified for the field '${field}' returned nothing (undefined).`);
      return result;
    };
  }
  if (Array.isArray(value)) {
    const parts = value.map((item) => compileJsonataValue(item, field));
    return async (scope) => Promise.all(parts.map((p) => p(scope)));
  }
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).map(([key, item]) => [key, compileJsonataValue(item, `${field}/${key}`)] as const);
    return async (scope) => {
      const out: Record<string, JsonValue> = {};
      for (const [key, part] of parts) out[key] = await part(scope);
      return out;
    };
  }
  return () => value;
}
