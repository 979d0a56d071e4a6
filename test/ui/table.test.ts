import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/ui/output.js';
import { renderTable } from '../../src/ui/table.js';
import { fitVisible, visibleWidth } from '../../src/ui/width.js';

const ESC = '\u001b';

/** What the terminal shows: the table as it is written (through the output layer), colour off. */
const shown = (table: string) => terminalSafe(table, { colour: false }).split('\n');

describe('renderTable', () => {
  it('lines columns up on what the terminal shows when a cell carries escape sequences from data', () => {
    const rows = [
      { name: `Charge${ESC}]0;pwned${ESC}\\`, status: 'FAILED' },
      { name: `Ship${ESC}[2K\u0007`, status: 'SUCCEEDED' },
      { name: 'Notify', status: 'RUNNING' },
    ];
    const lines = shown(renderTable(rows, [
      { header: 'STATE', value: (row) => row.name },
      { header: 'STATUS', value: (row) => row.status },
    ]));
    expect(lines).toEqual([
      'STATE   STATUS',
      'Charge  FAILED',
      'Ship    SUCCEEDED',
      'Notify  RUNNING',
    ]);
  });

  it('counts wide characters (CJK, emoji) as two columns and combining marks as none', () => {
    const rows = [
      { name: '配送', count: '1' },
      { name: '📦 box', count: '2' },
      { name: 'Sa\u0303o Paulo', count: '3' },
    ];
    const lines = shown(renderTable(rows, [
      { header: 'NAME', value: (row) => row.name },
      { header: 'N', value: (row) => row.count, align: 'right' },
    ]));
    // Every line is as wide on screen, so the right-aligned column lines up.
    expect(lines.map(visibleWidth)).toEqual([12, 12, 12, 12]);
    expect(lines[1]).toBe('配送       1');
    expect(lines[3]).toBe('Sa\u0303o Paulo  3');
  });
});

describe('visibleWidth', () => {
  it('is the number of terminal columns the text takes once written through the output layer', () => {
    expect(visibleWidth(`${ESC}[1mbold${ESC}[22m`)).toBe(4);
    expect(visibleWidth(`a${ESC}]8;;https://x.example${ESC}\\link${ESC}]8;;${ESC}\\`)).toBe(5);
    expect(visibleWidth('tab\u202eevil')).toBe(7);
    expect(visibleWidth('日本')).toBe(4);
    expect(visibleWidth('👩‍👩‍👧')).toBe(2);
    expect(visibleWidth('')).toBe(0);
  });
});

describe('fitVisible', () => {
  it('leaves text that fits as it is', () => {
    expect(fitVisible('order o-1 paid', 20)).toBe('order o-1 paid');
  });

  it('cuts at the column with an ellipsis, counting wide characters twice', () => {
    expect(fitVisible('abcdefghij', 6)).toBe('abcde…');
    expect(fitVisible('配送配送配送', 6)).toBe('配送…');
    expect(visibleWidth(fitVisible('配送配送配送', 6))).toBe(5);
  });

  it('keeps colour codes at no width and closes them after a cut', () => {
    const red = `${ESC}[31mFAILED because the card was declined${ESC}[39m`;
    const cut = fitVisible(red, 10);
    expect(terminalSafe(cut, { colour: false })).toBe('FAILED be…');
    expect(cut.startsWith(`${ESC}[31m`) || !cut.includes(ESC)).toBe(true);
    if (cut.includes(ESC)) expect(cut.endsWith(`${ESC}[0m`)).toBe(true);
  });

  it('drops what the terminal would never show before counting', () => {
    expect(terminalSafe(fitVisible(`Charge${ESC}]0;a long window title${ESC}\\ now`, 12), { colour: false })).toBe('Charge now');
  });
});

describe('renderTable with a width to keep', () => {
  const rows = [
    { item: 'Requests (x86_64) · validate-order-and-reserve-the-stock-it-needs', monthly: '$0.00' },
    { item: 'Compute (x86_64) · check-stock', monthly: '$16.15' },
  ];
  const columns = [
    { header: 'Line item', value: (row: (typeof rows)[number]) => row.item },
    { header: 'Monthly', value: (row: (typeof rows)[number]) => row.monthly, align: 'right' as const },
  ];

  it('cuts the column that gives way, with an ellipsis, and keeps the others whole', () => {
    const lines = shown(renderTable(rows, columns, { maxWidth: 40, shrink: 0 }));
    for (const line of lines) expect(visibleWidth(line)).toBeLessThanOrEqual(40);
    expect(lines[1]).toBe('Requests (x86_64) · validate-o…    $0.00');
    expect(lines[2]).toBe('Compute (x86_64) · check-stock    $16.15');
  });

  it('changes nothing when the table fits', () => {
    expect(renderTable(rows, columns, { maxWidth: 200, shrink: 0 })).toBe(renderTable(rows, columns));
  });
});
