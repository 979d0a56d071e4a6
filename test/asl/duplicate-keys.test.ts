import { describe, expect, it } from 'vitest';
import { duplicateKeys } from '../../src/asl/duplicate-keys.js';

describe('duplicateKeys', () => {
  it('finds a key written twice in one object, at its second place, whatever escapes spell it', () => {
    const text = '{"States":{"Pick":{"Type":"Pass"},"\\u0050ick":{"Type":"Succeed"}}}';
    expect(duplicateKeys(text)).toEqual([{ at: ['States', 'Pick'], offset: text.indexOf('"\\u0050ick"') }]);
  });

  it('tells apart equal keys of different objects, array items included, and ignores braces and quotes inside strings', () => {
    const text = JSON.stringify({ Items: [{ id: 1, note: '{"id": 2, "id": 3}' }, { id: 4 }], Comment: 'a "quoted" \\ slash', id: 5 });
    expect(duplicateKeys(text)).toEqual([]);
    expect(duplicateKeys('{"Items":[{"id":1},{"id":2,"id":3}]}')).toEqual([{ at: ['Items', 1, 'id'], offset: 27 }]);
  });

  it('reads a text nested far deeper than a call stack would allow', () => {
    const depth = 200_000;
    expect(duplicateKeys(`${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`)).toHaveLength(1);
  });
});
