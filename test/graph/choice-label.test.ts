import { describe, expect, it } from 'vitest';
import { describeChoiceRule, shorten } from '../../src/graph/choice-label.js';

describe('describeChoiceRule', () => {
  it.each([
    [{ Variable: '$.stock', NumericGreaterThan: 0 }, '$.stock > 0'],
    [{ Variable: '$.stock', NumericLessThanEquals: 24 }, '$.stock <= 24'],
    [{ Variable: '$.stock', NumericGreaterThanEqualsPath: '$.min' }, '$.stock >= $.min'],
    [{ Variable: '$.tier', StringEquals: 'gold' }, '$.tier == "gold"'],
    [{ Variable: '$.tier', StringEqualsPath: '$.wanted' }, '$.tier == $.wanted'],
    [{ Variable: '$.express', BooleanEquals: true }, '$.express == true'],
    [{ Variable: '$.at', TimestampLessThan: '2026-01-01T00:00:00Z' }, '$.at < "2026-01-01T00:00:00Z"'],
    [{ Variable: '$.file', StringMatches: '*.csv' }, '$.file ~ "*.csv"'],
    [{ Variable: '$.coupon', IsPresent: false }, '$.coupon not present'],
    [{ Variable: '$.coupon', IsNull: true }, '$.coupon null'],
    [{ And: [{ Variable: '$.a', NumericEquals: 1 }, { Or: [{ Variable: '$.b', IsPresent: true }, { Variable: '$.c', StringEquals: 'x' }] }] }, '$.a == 1 && ($.b present || $.c == "x")'],
    [{ Not: { Variable: '$.region', StringEquals: 'eu' } }, '!$.region == "eu"'],
    [{ Condition: '{% $states.input.total > 100 %}' }, '$states.input.total > 100'],
  ])('%j reads %s', (rule, text) => {
    expect(describeChoiceRule({ ...rule, Next: 'X' })).toBe(text);
  });
});

describe('shorten', () => {
  it('keeps short text and cuts long text with an ellipsis', () => {
    expect(shorten('QuoteCarrier', 20)).toBe('QuoteCarrier');
    expect(shorten('QuoteFallbackCarrierForExpressParcels', 12)).toBe('QuoteFallba…');
  });
});
