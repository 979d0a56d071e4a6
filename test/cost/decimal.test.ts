import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/cost/decimal.js';
import { formatUnitPrice, formatUsd } from '../../src/cost/report.js';

describe('Decimal', () => {
  it('adds what binary floating point cannot', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(Decimal.of('0.1').add('0.2').toString()).toBe('0.3');
    // A million transitions at $0.000025 is exactly $25.
    expect(Decimal.of(1_000_000).mul('0.0000250000').toString()).toBe('25');
  });

  it('divides exactly by powers of 2 and 5 and refuses anything else', () => {
    expect(Decimal.ratio(128 * 100, 1024 * 1000).toString()).toBe('0.0125');
    expect(Decimal.ratio(1, 1_000_000).toString()).toBe('0.000001');
    expect(() => Decimal.ratio(1, 3)).toThrow(/no exact decimal/);
  });

  it('rounds half away from zero only when formatted', () => {
    expect(Decimal.of('2.345').toFixed(2)).toBe('2.35');
    expect(Decimal.of('-2.345').toFixed(2)).toBe('-2.35');
    expect(Decimal.of('2.344999').toFixed(2)).toBe('2.34');
    expect(Decimal.of('7').toFixed(3)).toBe('7.000');
    expect(Decimal.of('1.5e-7').toString()).toBe('0.00000015');
  });

  it('compares, takes min/max and ceilings', () => {
    expect(Decimal.of('0.5').lt('0.50001')).toBe(true);
    expect(Decimal.max(Decimal.of(3), Decimal.of('3.1')).toString()).toBe('3.1');
    expect(Decimal.of('4.01').ceil().toString()).toBe('5');
    expect(JSON.stringify({ usd: Decimal.of('12.50') })).toBe('{"usd":"12.5"}');
  });
});

describe('money and prices for display', () => {
  it('shows cents, thousands separators, and sub-cent amounts without hiding them as $0.00', () => {
    expect(formatUsd(Decimal.of('10141.36687'))).toBe('$10,141.37');
    expect(formatUsd(Decimal.of('0.00065005'))).toBe('$0.00065');
    expect(formatUsd(Decimal.ZERO)).toBe('$0.00');
  });

  it('quotes unit prices the way AWS does', () => {
    expect(formatUnitPrice({ unitPrices: ['0.0000250000'], unit: 'transitions', priceUnit: 'StateTransitions' })).toBe('$0.025/1K');
    expect(formatUnitPrice({ unitPrices: ['0.0000002000'], unit: 'requests', priceUnit: 'Requests' })).toBe('$0.20/1M');
    expect(formatUnitPrice({ unitPrices: ['0.0002500000'], unit: 'tokens', priceUnit: '1K tokens' })).toBe('$0.25/1M');
    expect(formatUnitPrice({ unitPrices: ['0.0000166667', '0.0000150000'], unit: 'GB-s', priceUnit: 'Lambda-GB-Second' })).toBe('$0.0000166667/GB-s → $0.000015/GB-s');
  });
});

describe('Decimal zero', () => {
  it('has one form however it was reached', () => {
    expect(Decimal.of(0).mul('0.0000250000').toString()).toBe('0');
    expect(Decimal.of('0.000').toString()).toBe('0');
  });
});
