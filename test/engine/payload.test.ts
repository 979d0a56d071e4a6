import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { StatesError } from '../../src/engine/errors.js';
import { checkPayload, compilePayload, PayloadSyntaxError } from '../../src/engine/payload.js';
import type { EvalScope } from '../../src/engine/scope.js';

function scope(input: JsonValue, variables: Record<string, JsonValue> = {}): EvalScope {
  return { input, context: { Execution: { Input: input, Name: 'exec-1' }, Map: { Item: { Index: 2, Value: 'v' } } }, variables };
}

describe('compilePayload', () => {
  it('takes `.$` values from the input, the context, variables and intrinsics', () => {
    const template = {
      orderId: 'fixed',
      'id.$': '$.order.id',
      'whole.$': '$',
      'execution.$': '$$.Execution.Name',
      'index.$': '$$.Map.Item.Index',
      'customer.$': '$customer.name',
      'label.$': "States.Format('order {}', $.order.id)",
      nested: { 'total.$': 'States.MathAdd($.order.total, 1)', list: [{ 'first.$': '$.order.lines[0]' }, 'plain'] },
    };
    const input = { order: { id: 'o-9', total: 41, lines: ['a', 'b'] } };
    expect(compilePayload(template, 'Parameters')(scope(input, { customer: { name: 'Ann' } }))).toEqual({
      orderId: 'fixed',
      id: 'o-9',
      whole: input,
      execution: 'exec-1',
      index: 2,
      customer: 'Ann',
      label: 'order o-9',
      nested: { total: 42, list: [{ first: 'a' }, 'plain'] },
    });
  });

  it('gives lists for indefinite paths, empty when nothing matches', () => {
    const evaluate = compilePayload({ 'names.$': '$.people[*].name', 'adults.$': '$.people[?(@.age >= 18)].name' }, 'Parameters');
    expect(evaluate(scope({ people: [{ name: 'a', age: 20 }, { name: 'b', age: 9 }] }))).toEqual({ names: ['a', 'b'], adults: ['a'] });
    expect(evaluate(scope({}))).toEqual({ names: [], adults: [] });
  });

  it('leaves strings that only look like paths alone when the key has no `.$`', () => {
    const template = { a: '$.x', b: '$$.Execution.Id', c: "States.Format('{}', $v)", d: '{% $x %}' };
    expect(compilePayload(template, 'Assign')(scope({}))).toEqual(template);
  });

  it('shares constant templates instead of rebuilding them', () => {
    const template = { a: { b: [1, 2] } };
    const evaluate = compilePayload(template, 'Parameters');
    expect(evaluate(scope({}))).toBe(template);
  });

  it("fails with AWS's States.Runtime cause when a path selects nothing", () => {
    const evaluate = compilePayload({ item: { 'sku.$': '$.order.sku' } }, 'Parameters');
    try {
      evaluate(scope({ order: { id: 1 } }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StatesError);
      expect((error as StatesError).error).toBe('States.Runtime');
      expect((error as StatesError).cause).toBe(
        "The JSONPath '$.order.sku' specified for the field 'sku.$' could not be found in the input '{\"order\":{\"id\":1}}'",
      );
    }
  });

  it('passes intrinsic failures through', () => {
    const evaluate = compilePayload({ 'n.$': 'States.ArrayLength($.s)' }, 'Parameters');
    expect(() => evaluate(scope({ s: 'text' }))).toThrow(/States.IntrinsicFailure/);
  });

  it('reports every malformed `.$` value at compile time', () => {
    const template = { 'a.$': 7, ok: { 'b.$': 'States.Bogus()' }, 'c.$': '$.fine', 'd.$': 'no-dollar' };
    const problems = checkPayload(template, 'Parameters');
    expect(problems.map((p) => p.field)).toEqual(['Parameters/a.$', 'Parameters/ok/b.$', 'Parameters/d.$']);
    expect(problems[0].message).toBe("The value for the field 'a.$' must be a valid JSONPath or a valid intrinsic function call");
    expect(() => compilePayload(template, 'Parameters')).toThrow(PayloadSyntaxError);
  });
});
