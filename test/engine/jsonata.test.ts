import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { checkJsonata, compileJsonataValue, JsonataSyntaxError, jsonataExpression, QueryEvaluationError, unexpectedTypeCause } from '../../src/engine/jsonata.js';
import { compileFast, FALLBACK } from '../../src/engine/jsonata-fast.js';
import type { EvalScope } from '../../src/engine/scope.js';

function scope(input: JsonValue, variables: Record<string, JsonValue> = {}, extra: EvalScope['states'] = {}): EvalScope {
  const context = { Execution: { Name: 'exec-3' }, State: { Name: 'Pay' } };
  return { input, context, variables, states: { input, context, ...extra } };
}

async function evaluate(value: JsonValue, s: EvalScope = scope({}), field = 'Output'): Promise<JsonValue> {
  return compileJsonataValue(value, field)(s);
}

describe('compileJsonataValue', () => {
  it('evaluates {% %} strings anywhere in the value and keeps the rest as written', async () => {
    const value = {
      total: '{% $sum($states.input.lines.price) %}',
      first: ['{% $states.input.lines[0].sku %}', 'literal', 3],
      who: '{% $customer.name %}',
      where: '{% $states.context.State.Name %}',
      plain: { text: 'not {% an expression', n: null },
    };
    const input = { lines: [{ sku: 'a', price: 2 }, { sku: 'b', price: 3 }] };
    expect(await evaluate(value, scope(input, { customer: { name: 'Ann' } }))).toEqual({
      total: 5,
      first: ['a', 'literal', 3],
      who: 'Ann',
      where: 'Pay',
      plain: { text: 'not {% an expression', n: null },
    });
  });

  it('returns constants synchronously and unchanged', () => {
    const value = { a: [1, { b: '$.not.a.path' }] };
    expect(compileJsonataValue(value, 'Arguments')(scope({}))).toBe(value);
  });

  it('exposes $states.result and $states.errorOutput when the state has them', async () => {
    const s = scope({ a: 1 }, {}, { result: { Payload: 7 }, errorOutput: { Error: 'E', Cause: 'C' } });
    expect(await evaluate('{% [$states.result.Payload, $states.errorOutput.Error, $states.input.a] %}', s)).toEqual([7, 'E', 1]);
  });

  it('handles escapes, regular expressions and merges as AWS does', async () => {
    expect(await evaluate("{% $var = '\"' %}", scope({}, { var: '"' }))).toBe(true);
    expect(await evaluate('{% $contains("hello$world", /^hello\\$/) %}')).toBe(true);
    expect(await evaluate('{% $merge([$states.input.p1, $states.input.p2]) %}', scope({ p1: { a: 1 }, p2: { b: 2 } }))).toEqual({ a: 1, b: 2 });
    expect(await evaluate(['1', "{% $number('2') %}", 3])).toEqual(['1', 2, 3]);
  });

  it('turns JSONata sequences into plain arrays', async () => {
    const result = await evaluate('{% $states.input.items.id %}', scope({ items: [{ id: 1 }, { id: 2 }] }));
    expect(result).toEqual([1, 2]);
    expect(Object.keys(result as object)).toEqual(['0', '1']);
  });
});

describe("AWS's JSONata functions", () => {
  it('partitions, ranges, hashes and parses', async () => {
    expect(await evaluate('{% $partition([0, 1, 2, 3], 1) %}')).toEqual([[0], [1], [2], [3]]);
    expect(await evaluate('{% $partition([1, 2, 3], 2) %}')).toEqual([[1, 2], [3]]);
    expect(await evaluate('{% $range(0, 10, 3) %}')).toEqual([0, 3, 6, 9]);
    expect(await evaluate('{% $range(9, 1, -4) %}')).toEqual([9, 5, 1]);
    expect(await evaluate("{% $hash('input data', 'SHA-1') %}")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(await evaluate('{% $parse($states.input.s) %}', scope({ s: '[1, 2, "HelloWorld"]' }))).toEqual([1, 2, 'HelloWorld']);
    expect(Object.is(await evaluate('{% $parse($states.input.s) %}', scope({ s: '-0' })), 0)).toBe(true);
    expect(await evaluate('{% $range(1, 9, 9) %}')).toBe(1);
  });

  it('draws random numbers and UUIDs', async () => {
    const r = (await evaluate('{% $random() %}')) as number;
    expect(r >= 0 && r < 1).toBe(true);
    expect(await evaluate('{% $random(42) %}')).toBe(await evaluate('{% $random(42) %}'));
    expect(await evaluate('{% $uuid() %}')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('errors', () => {
  it("says which expression and field returned nothing, in AWS's words", async () => {
    await expect(evaluate('{% $doesNotExist %}', scope({}), 'Assign/result')).rejects.toMatchObject({
      error: 'States.QueryEvaluationError',
      cause: "The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).",
    });
    await expect(evaluate({ a: { b: ['{% $states.input.missing %}'] } }, scope({}), 'Output')).rejects.toMatchObject({
      cause: "The JSONata expression '$states.input.missing' specified for the field 'Output/a/b[0]' returned nothing (undefined).",
      location: 'Output/a/b[0]',
    });
  });

  it('reports evaluation errors with their JSONata code', async () => {
    await expect(evaluate("{% $sum(['a']) %}", scope({}), 'Output/v')).rejects.toMatchObject({
      cause: "The JSONata expression '$sum(['a'])' specified for the field 'Output/v' threw an error during evaluation. T0412: Argument [\"a\"] must be an array of \"numbers\"",
    });
    await expect(evaluate("{% $range('0', 4, 1) %}")).rejects.toMatchObject({
      cause: "The JSONata expression '$range('0', 4, 1)' specified for the field 'Output' threw an error during evaluation. T0410: Argument 1 of function \"range\" does not match function signature",
    });
    await expect(evaluate("{% 1 + 'a' %}")).rejects.toBeInstanceOf(QueryEvaluationError);
  });

  it('words unexpected result types as AWS does', () => {
    expect(unexpectedTypeCause('true', 'Items', 'array', true)).toBe(
      "The JSONata expression 'true' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'boolean' for value: true",
    );
    expect(unexpectedTypeCause('$ItemsVar', 'Items', 'array', null)).toMatch(/but was 'null' for value: null$/);
  });

  it('reports malformed expressions at compile time', () => {
    expect(checkJsonata({ a: '{% [1, 2 %}', b: '{% 1 + 1 %}' }, 'Arguments')).toEqual([
      { field: 'Arguments/a', message: expect.stringContaining("The JSONata expression '[1, 2' is not valid") },
    ]);
    expect(() => compileJsonataValue('{% ) %}', 'Output')).toThrow(JsonataSyntaxError);
  });
});

describe('jsonataExpression', () => {
  it('recognises {% %} strings only', () => {
    expect(jsonataExpression('{%  $x  %}')).toBe('$x');
    expect(jsonataExpression('{% $x')).toBeUndefined();
    expect(jsonataExpression(3)).toBeUndefined();
  });
});

describe('the synchronous fast path', () => {
  const input = { n: 4, f: 1.5, s: 'ab', t: true, z: null, o: { k: 'v', n: 2 }, list: [1, 2], one: [7] };
  const variables = { count: 3, flag: false, name: 'x', obj: { deep: { v: 9 } }, arr: [1, 2, 3] };
  const expressions = [
    '$states.input.n + 1',
    '$states.input.n * $states.input.f - 2 / 4',
    '$states.input.n % 3',
    '-$count',
    '$states.input.n = 4',
    "$states.input.s != 'ab'",
    "$states.input.s < 'b' and $count >= 3",
    '$flag or $states.input.t',
    '$flag and $missing',
    "$name & '-' & $states.input.s",
    '$not($states.input.t)',
    '$count > 2 ? $obj.deep.v : 0',
    '$obj.deep',
    '$arr',
    '$states.input.list',
    '$states.input.one',
    '$states.input.z',
    '$states.input.missing',
    "$states.input.s + 1",
    '$states.input.o.n * 2',
    "$states.input.o = $states.input.o",
    '$states.context.Execution.Name',
    '1 / 0',
    'null',
    '{"i": $states.input.n + 1, "o": {"k": $states.input.o.k}}',
    '{"a": $arr}',
    '[1, $name, $states.input.t, {"x": $count}]',
    '[1, $arr]',
    '[[1, 2], 3]',
  ];

  it('gives what the jsonata package gives, or steps aside', async () => {
    const s = scope(input, variables);
    const bindings = { ...variables, states: { input, context: s.context } };
    let fastCount = 0;
    for (const expression of expressions) {
      const compiled = jsonata(expression);
      const fast = compileFast(compiled.ast());
      const value = fast ? fast(s) : FALLBACK;
      if (value === FALLBACK) continue;
      fastCount++;
      expect(value, expression).toEqual(await compiled.evaluate(input, bindings));
    }
    expect(fastCount).toBeGreaterThan(18);
  });

  it('makes plain expressions synchronous and leaves the rest to jsonata', async () => {
    const evaluate = compileJsonataValue({ next: '{% $states.input.n + 1 %}', label: '{% $name %}' }, 'Output');
    expect(evaluate(scope(input, variables))).toEqual({ next: 5, label: 'x' });
    const general = compileJsonataValue('{% $sum($states.input.list) %}', 'Output')(scope(input));
    expect(general).toBeInstanceOf(Promise);
    expect(await general).toBe(3);
    await expect(compileJsonataValue('{% $states.input.missing + 1 %}', 'Output')(scope(input))).rejects.toMatchObject({
      cause: "The JSONata expression '$states.input.missing + 1' specified for the field 'Output' returned nothing (undefined).",
    });
  });
});
