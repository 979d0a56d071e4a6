import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/asl/types.js';
import { StatesError } from '../../src/engine/errors.js';
import { checkIntrinsic, compileIntrinsic } from '../../src/engine/intrinsics.js';

function call(expression: string, input: JsonValue = {}, variables: Record<string, JsonValue> = {}): JsonValue {
  return compileIntrinsic(expression)({ input, context: { Execution: { Name: 'exec-7' } }, variables });
}

function failure(expression: string, input: JsonValue = {}): StatesError {
  try {
    call(expression, input);
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error(`${expression} did not fail`);
}

describe('States.Format', () => {
  it('fills {} in order from literals, paths, the context and variables', () => {
    expect(call("States.Format('Hello {}, welcome to {}!', $.name, $$.Execution.Name)", { name: 'Ann' })).toBe('Hello Ann, welcome to exec-7!');
    expect(call("States.Format('{} items', $count)", {}, { count: 3 })).toBe('3 items');
  });

  it('prints numbers, null, arrays and objects as AWS does', () => {
    expect(call("States.Format('Formatting argument {}.', $.v)", { v: 1.1 })).toBe('Formatting argument 1.1.');
    expect(call("States.Format('{} {}', $.n, $.b)", { n: null, b: true })).toBe('null true');
    expect(call("States.Format('{}', $.o)", { o: { Arg1: 1, Arg2: [] } })).toBe('{Arg1=1, Arg2=[]}');
  });

  it("keeps escaped braces, quotes and backslashes literal", () => {
    expect(call("States.Format('\\{\\} {} it\\'s a \\\\ path', 'x')")).toBe("{} x it's a \\ path");
  });

  it('takes a template from a path as it is', () => {
    expect(call('States.Format($.t, $.v)', { t: 'C:\\dir\\{}', v: 'file' })).toBe('C:\\dir\\file');
  });

  it('fails when placeholders and arguments do not match', () => {
    const error = failure("States.Format('{} and {}', 'one')");
    expect(error.error).toBe('States.IntrinsicFailure');
  });
});

describe('JSON functions', () => {
  it('parses and prints JSON', () => {
    expect(call('States.StringToJson($.s)', { s: '{"Arg1": 1, "Arg2": []}' })).toEqual({ Arg1: 1, Arg2: [] });
    expect(call('States.StringToJson($.s)', { s: 'null' })).toBeNull();
    expect(call('States.StringToJson($.s)', { s: '' })).toBeNull();
    expect(call('States.StringToJson($.s)', { s: '-0' })).toBe(0);
    expect(call('States.JsonToString($.v)', { v: { Arg1: 1, Arg2: [] } })).toBe('{"Arg1":1,"Arg2":[]}');
    expect(call('States.JsonToString($.v)', { v: 'HelloWorld' })).toBe('"HelloWorld"');
    expect(call('States.JsonToString($.v)', { v: 1.1 })).toBe('1.1');
  });

  it('merges shallowly, the second object winning', () => {
    const input = { a: { a: { a1: 1 }, b: 2, d: 3 }, b: { a: { a3: 1 }, c: 3, d: 4 } };
    expect(call('States.JsonMerge($.a, $.b, false)', input)).toEqual({ a: { a3: 1 }, b: 2, c: 3, d: 4 });
    expect(call("States.JsonMerge(States.StringToJson('{\"k\": \"v\"}'), $.b, false)", input)).toEqual({ k: 'v', a: { a3: 1 }, c: 3, d: 4 });
    expect(failure('States.JsonMerge($.a, $.b, true)', input).error).toBe('States.IntrinsicFailure');
  });
});

describe('array functions', () => {
  const input = { list: [1, 2, 3, 4, 5, 6], dup: [1, 2, 2, { a: 1 }, { a: 1 }, null, null] };

  it('builds, partitions, searches and measures arrays', () => {
    expect(call("States.Array('a', 1, true, null, $.list[0])", input)).toEqual(['a', 1, true, null, 1]);
    expect(call('States.Array()')).toEqual([]);
    expect(call('States.ArrayPartition($.list, 4)', input)).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
    expect(call('States.ArrayPartition($.empty, 2)', { empty: [] })).toEqual([]);
    expect(call('States.ArrayContains($.dup, $.probe)', { ...input, probe: { a: 1 } })).toBe(true);
    expect(call('States.ArrayContains($.list, 9)', input)).toBe(false);
    expect(call('States.ArrayGetItem($.list, 5)', input)).toBe(6);
    expect(call('States.ArrayLength($.list)', input)).toBe(6);
    expect(call('States.ArrayUnique($.dup)', input)).toEqual([1, 2, { a: 1 }, null]);
  });

  it('makes ranges, inclusive of the end, up to 1000 items', () => {
    expect(call('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(call('States.ArrayRange(0, 10, 3)')).toEqual([0, 3, 6, 9]);
    expect(call('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
    expect((call('States.ArrayRange(1, 1000, 1)') as number[]).length).toBe(1000);
    expect(failure('States.ArrayRange(0, 1000, 1)').error).toBe('States.IntrinsicFailure');
  });

  it('rejects wrong argument types and out-of-range indexes, naming the call', () => {
    expect(failure('States.ArrayLength($.s)', { s: 'abc' }).cause).toBe(
      "The function 'States.ArrayLength($.s)' had the following error: The first argument must be an array but was string: \"abc\"",
    );
    expect(failure('States.ArrayGetItem($.list, 6)', input).error).toBe('States.IntrinsicFailure');
    expect(failure('States.ArrayPartition($.list, 0)', input).error).toBe('States.IntrinsicFailure');
  });
});

describe('encoding and hashing', () => {
  it('encodes and decodes base64', () => {
    expect(call('States.Base64Encode($.v)', { v: 'Data to encode' })).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(call('States.Base64Decode($.v)', { v: 'RGF0YSB0byBlbmNvZGU=' })).toBe('Data to encode');
    expect(call("States.Base64Decode('')")).toBe('');
    expect(failure('States.Base64Encode($.v)', { v: 'x'.repeat(10_001) }).error).toBe('States.IntrinsicFailure');
  });

  it('hashes with every algorithm AWS offers', () => {
    expect(call("States.Hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(call("States.Hash('input data', 'SHA-384')")).toBe(
      'd28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562',
    );
    expect(call("States.Hash('', 'MD5')")).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(call("States.Hash('a', 'SHA-256')")).toHaveLength(64);
    expect(call("States.Hash('a', 'SHA-512')")).toHaveLength(128);
    expect(failure("States.Hash('a', 'SHA-2')").error).toBe('States.IntrinsicFailure');
  });
});

describe('math, strings and ids', () => {
  it('adds integers, rounding other numbers half up as Java does', () => {
    expect(call('States.MathAdd($.a, $.b)', { a: 111, b: -1 })).toBe(110);
    expect(call('States.MathAdd($.a, $.b)', { a: 1.49, b: 0 })).toBe(1);
    expect(call('States.MathAdd($.a, $.b)', { a: 2.5, b: 0 })).toBe(3);
    expect(call('States.MathAdd($.a, $.b)', { a: -2.5, b: 0 })).toBe(-2);
    expect(failure('States.MathAdd($.a, 1)', { a: '1' }).error).toBe('States.IntrinsicFailure');
  });

  it('draws random integers in range, repeatably with a seed', () => {
    for (let i = 0; i < 20; i++) {
      const value = call('States.MathRandom(1, 10)') as number;
      expect(Number.isInteger(value) && value >= 1 && value < 10).toBe(true);
    }
    expect(call('States.MathRandom(0, 999, 3)')).toBe(call('States.MathRandom(0, 999, 3)'));
    expect(Number.isInteger(call('States.MathRandom($.a, $.b)', { a: -99999, b: -9999 }))).toBe(true);
  });

  it('splits on any of the separator characters, dropping empty pieces', () => {
    expect(call('States.StringSplit($.s, $.d)', { s: 'This.is+a,test=string', d: '.+,=' })).toEqual(['This', 'is', 'a', 'test', 'string']);
    expect(call("States.StringSplit(' , ', ',')")).toEqual([' ', ' ']);
    expect(call("States.StringSplit('a,,b', ',')")).toEqual(['a', 'b']);
    expect(call('States.StringSplit($.s, $.d)', { s: ', , ,', d: ',' })).toEqual([' ', ' ']);
    expect(call('States.StringSplit($.s, $.d)', { s: ',,,,', d: ',' })).toEqual([]);
    expect(call('States.StringSplit($.s, $.d)', { s: 'split on T and \nnew line', d: 'T\n' })).toEqual(['split on ', ' and ', 'new line']);
    expect(call("States.StringSplit('Hello\nWorld', '\n')")).toEqual(['Hello', 'World']);
  });

  it('generates version 4 UUIDs', () => {
    expect(call('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('nests calls', () => {
    const arn = { arn: 'arn:aws:imagebuilder:us-east-1:123:image-recipe/my.recipe/1.0.0' };
    expect(
      call(
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), 1), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.arn, '/'), 1), '.'), 1))",
        arn,
      ),
    ).toBe('my.recipe');
  });
});

describe('path arguments', () => {
  it('fail with States.Runtime when they select nothing', () => {
    const error = failure('States.Array($.optionalProperty)', { requiredProperty: 1 });
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe(
      "The function 'States.Array($.optionalProperty)' had the following error: The JsonPath argument for the field '$.optionalProperty' could not be found in the input '{\"requiredProperty\":1}'",
    );
  });
});

describe('compile-time checks', () => {
  it('reports syntax, unknown functions and argument counts without throwing', () => {
    expect(checkIntrinsic('States.MathAdd($.a, 1)')).toBeUndefined();
    expect(checkIntrinsic('States.Nope(1)')).toMatch(/unknown function States.Nope/);
    expect(checkIntrinsic('States.MathAdd(1)')).toMatch(/takes 2 arguments but was given 1/);
    expect(checkIntrinsic("States.Format('x'")).toMatch(/missing '\)'/);
    expect(checkIntrinsic('States.UUID(1)')).toMatch(/takes 0 arguments/);
    expect(() => compileIntrinsic('States.ArrayLength($.a[)')).toThrow();
  });
});
