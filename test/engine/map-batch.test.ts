import { describe, expect, it } from 'vitest';
import { batchItems } from '../../src/engine/states/map.js';

describe('ItemBatcher batching', () => {
  it('cuts the items in order by MaxItemsPerBatch, with BatchInput on every batch', () => {
    expect(batchItems([1, 2, 3, 4, 5], { maxItems: 2, batchInput: { run: 'r1' } })).toEqual([
      { BatchInput: { run: 'r1' }, Items: [1, 2] },
      { BatchInput: { run: 'r1' }, Items: [3, 4] },
      { BatchInput: { run: 'r1' }, Items: [5] },
    ]);
  });

  it('cuts by MaxInputBytesPerBatch on the items’ JSON, and a lone item too large still gets a batch', () => {
    // "aaaa" is 6 bytes of JSON: two fit in 12, a third does not.
    expect(batchItems(['aaaa', 'bbbb', 'cccc', 'x'.repeat(40)], { maxBytes: 12 })).toEqual([{ Items: ['aaaa', 'bbbb'] }, { Items: ['cccc'] }, { Items: ['x'.repeat(40)] }]);
  });

  it('treats 0 as no limit and gives no batch for no items', () => {
    expect(batchItems([1, 2, 3], { maxItems: 0, maxBytes: 0 })).toEqual([{ Items: [1, 2, 3] }]);
    expect(batchItems([], { maxItems: 2 })).toEqual([]);
  });
});
