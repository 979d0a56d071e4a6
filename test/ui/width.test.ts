import { describe, expect, it } from 'vitest';
import { visibleWidth, wrapWords } from '../../src/ui/width.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-fulfillment:7bb98d64-da37-403b-a30c-5dec135f646a';

describe('wrapWords', () => {
  it('puts an ARN longer than the width whole on a line of its own, so that it can be copied', () => {
    expect(wrapWords(`Started ${ARN}`, 80)).toEqual(['Started', ARN]);
    expect(wrapWords(`hint: deliv explain ${ARN}`, 100)).toEqual(['hint: deliv explain', ARN]);
  });

  it('wraps prose at its spaces within the width', () => {
    const text = 'Prices: AWS list prices for us-east-1 bundled with deliv on 2026-11-20; --refresh reads the Price List API';
    const lines = wrapWords(text, 40);
    expect(lines.join(' ')).toBe(text);
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(40);
    expect(lines.length).toBeGreaterThan(2);
  });

  it('keeps a list item\'s indent, and gives the lines after the first a hanging one', () => {
    const item = '  - order-fulfillment: IsInStock: no branch weights, even split over ChargeAndReserve, OutOfStock (set choices.IsInStock in the usage file)';
    const lines = wrapWords(item, 60, '    ');
    expect(lines[0]).toMatch(/^ {2}- order-fulfillment: /);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(60);
    expect(lines.map((line) => line.trim()).join(' ')).toBe(item.trim());
  });

  it('leaves a line that fits, or one for no terminal, as it is', () => {
    expect(wrapWords(`Started ${ARN}`, 200)).toEqual([`Started ${ARN}`]);
    expect(wrapWords(`Started ${ARN}`, undefined)).toEqual([`Started ${ARN}`]);
  });
});
