import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/asl/types.js';
import { StatesError } from '../../src/engine/errors.js';
import {
  applyResultPath,
  checkPath,
  compilePath,
  compileScopePath,
  invalidPathCause,
  isReferencePath,
  normalizePath,
} from '../../src/engine/jsonpath.js';

const store: JsonObject = {
  'delivery-partner': 'UQS',
  items: [
    { sku: 'a', qty: 1, price: 10, tags: ['x'] },
    { sku: 'b', qty: 5, price: 2.5 },
    { sku: 'c', qty: 0, price: 99, tags: [] },
  ],
  nested: { deep: { sku: 'z' } },
};

describe('compilePath: definite paths give one value or undefined', () => {
  it('reads dot and bracket notation, hyphenated names and indexes', () => {
    expect(compilePath('$')(store)).toBe(store);
    expect(compilePath('$.delivery-partner')(store)).toBe('UQS');
    expect(compilePath("$['delivery-partner']")(store)).toBe('UQS');
    expect(compilePath('$.items[1].sku')(store)).toBe('b');
    expect(compilePath('$.items[-1].sku')(store)).toBe('c');
    expect(compilePath('$.nested.deep')(store)).toEqual({ sku: 'z' });
  });

  it('says undefined, not null, when nothing is there', () => {
    expect(compilePath('$.missing')(store)).toBeUndefined();
    expect(compilePath('$.items[7]')(store)).toBeUndefined();
    expect(compilePath('$.items.sku')(store)).toBeUndefined();
    expect(compilePath('$.a')({ a: null })).toBeNull();
    expect(compilePath('$.constructor')({})).toBeUndefined();
  });

  it('treats $$ paths the same way on the root it is given', () => {
    expect(compilePath('$$.Execution.Input')({ Execution: { Input: 1 } })).toBe(1);
  });
});

describe('compilePath: indefinite paths give the list of matches', () => {
  it('supports wildcards, slices, unions and deep scan', () => {
    expect(compilePath('$.items[*].sku')(store)).toEqual(['a', 'b', 'c']);
    expect(compilePath('$.items.*.qty')(store)).toEqual([1, 5, 0]);
    expect(compilePath('$.items[0:2].sku')(store)).toEqual(['a', 'b']);
    expect(compilePath('$.items[-2:].sku')(store)).toEqual(['b', 'c']);
    expect(compilePath('$.items[:1].sku')(store)).toEqual(['a']);
    expect(compilePath('$.items[0,2].sku')(store)).toEqual(['a', 'c']);
    expect(compilePath("$.items[0]['sku','qty']")(store)).toEqual(['a', 1]);
    expect(compilePath('$..sku')(store)).toEqual(['a', 'b', 'c', 'z']);
  });

  it('evaluates filters with comparisons, logic, existence and regular expressions', () => {
    expect(compilePath('$.items[?(@.qty > 1)].sku')(store)).toEqual(['b']);
    expect(compilePath("$.items[?(@.sku == 'a' || @.price >= 99)].sku")(store)).toEqual(['a', 'c']);
    expect(compilePath('$.items[?(@.qty > 0 && @.price < 5)].sku')(store)).toEqual(['b']);
    expect(compilePath('$.items[?(@.tags)].sku')(store)).toEqual(['a', 'c']);
    expect(compilePath('$.items[?(!(@.qty == 0))].sku')(store)).toEqual(['a', 'b']);
    expect(compilePath('$.items[?(@.sku =~ /[ab]/)].sku')(store)).toEqual(['a', 'b']);
    expect(compilePath("$.items[?(@.sku in ['a','c'])].qty")(store)).toEqual([1, 0]);
    expect(compilePath('$.items[?(@.price > $.items[1].price)].sku')(store)).toEqual(['a', 'c']);
    expect(compilePath('$.[?(@.qty <= 1)].sku')(store.items)).toEqual(['a', 'c']);
    expect(compilePath("$.items[?(@.qty == '5')].sku")(store)).toEqual(['b']);
    expect(compilePath("$.items[?(@.qty != '5')].sku")(store)).toEqual(['a', 'c']);
  });

  it('gives an empty list when the input has nothing to match (as AWS does)', () => {
    expect(compilePath('$.item.items[*]')({})).toEqual([]);
    expect(compilePath('$.item.items[1:5].itemValue')({})).toEqual([]);
  });
});

describe('scope paths', () => {
  const scope = { input: { a: 1 }, context: { Execution: { Name: 'run-1' } }, variables: { order: { id: 'o-1', lines: [{ sku: 's' }] } } };

  it('read the input, the context object or a variable', () => {
    expect(compileScopePath('$.a')(scope)).toBe(1);
    expect(compileScopePath('$$.Execution.Name')(scope)).toBe('run-1');
    expect(compileScopePath('$order.id')(scope)).toBe('o-1');
    expect(compileScopePath('$order.lines[0].sku')(scope)).toBe('s');
    expect(compileScopePath('$order')(scope)).toEqual(scope.variables.order);
    expect(compileScopePath('$unknown')(scope)).toBeUndefined();
  });
});

describe('compile-time checks', () => {
  it('rejects bad syntax with a reason', () => {
    expect(() => compilePath('items[0]')).toThrow(/must start with '\$'/);
    expect(() => compilePath('$.items[')).toThrow(/Invalid JSONPath/);
    expect(checkPath('$.a[?(@.b >)]')).toMatch(/Invalid JSONPath/);
    expect(checkPath('$.a.b')).toBeUndefined();
    expect(checkPath(7)).toMatch(/expected a JSONPath string/);
  });

  it('knows reference paths (a single node)', () => {
    expect(isReferencePath('$.a[0].b')).toBe(true);
    expect(isReferencePath('$.a[*]')).toBe(false);
    expect(checkPath('$..a', { reference: true })).toMatch(/must be a reference path/);
  });
});

describe('AWS causes for paths that select nothing', () => {
  it('quotes Jayway as AWS does for InputPath and friends', () => {
    expect(invalidPathCause('$.NoSuchInputPath', { 'int-literal': 0 })).toBe(
      "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']",
    );
    expect(invalidPathCause('$.a.b', {})).toBe("Invalid path '$.a.b' : Missing property in path $['a']");
    expect(invalidPathCause('$.a[3]', { a: [] })).toBe("Invalid path '$.a[3]' : No results for path: $['a'][3]");
    expect(normalizePath('$.a[*].b')).toBe("$['a'][*]['b']");
  });
});

describe('applyResultPath', () => {
  const input: JsonObject = { order: { id: 1 }, keep: [1, 2] };

  it('replaces, discards or places the result', () => {
    expect(applyResultPath(input, undefined, 'r')).toBe('r');
    expect(applyResultPath(input, '$', 'r')).toBe('r');
    expect(applyResultPath(input, null, 'r')).toBe(input);
    expect(applyResultPath(input, '$.result', 'r')).toEqual({ order: { id: 1 }, keep: [1, 2], result: 'r' });
    expect(applyResultPath(input, '$.order.status', 'paid')).toEqual({ order: { id: 1, status: 'paid' }, keep: [1, 2] });
    expect(applyResultPath(input, '$.keep[1]', 9)).toEqual({ order: { id: 1 }, keep: [1, 9] });
  });

  it('creates missing objects on the way and never mutates the input', () => {
    const output = applyResultPath(input, '$.a.b.c', true) as any;
    expect(output.a).toEqual({ b: { c: true } });
    expect(input).toEqual({ order: { id: 1 }, keep: [1, 2] });
    expect(output.keep).toBe(input.keep);
  });

  it('fails with States.ResultPathMatchFailure when the path runs into a non-object', () => {
    const attempt = () => applyResultPath([1, 2], '$.result', 'r');
    expect(attempt).toThrow(StatesError);
    try {
      attempt();
    } catch (error) {
      expect((error as StatesError).error).toBe('States.ResultPathMatchFailure');
      expect((error as StatesError).cause).toBe('Unable to apply ReferencePath $.result to input [1,2]');
    }
    expect(() => applyResultPath('{"a":1}', '$.a', 1)).toThrow('Unable to apply ReferencePath $.a to input "{\\"a\\":1}"');
    expect(() => applyResultPath({ a: 'text' }, '$.a.b', 1)).toThrow(/ReferencePath \$\.a\.b/);
  });
});
