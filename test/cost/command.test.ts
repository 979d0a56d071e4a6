/**
 * `deliv cost` as a library call on a bare definition file, offline (the
 * bundled price snapshot): the flags' values it refuses, the budget verdict,
 * and the chart written as SVG.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costText, estimateCost, type CostRequest } from '../../src/cost/command.js';
import { visibleWidth } from '../../src/ui/width.js';
import { tempDir } from '../helpers/cli.js';

const temp = tempDir('deliv-cost-command-');
const file = path.join(temp.dir, 'parcels.asl.json');

beforeAll(() => {
  writeFileSync(file, JSON.stringify({ StartAt: 'Route', States: { Route: { Type: 'Pass', Next: 'Done' }, Done: { Type: 'Succeed' } } }));
});
afterAll(() => temp.cleanup());

const estimate = (request: Partial<CostRequest>, notes: string[] = []) =>
  estimateCost({ subjects: [file], cwd: temp.dir, offline: true, executions: 1_000_000, ...request }, (text) => notes.push(text));

describe('estimateCost', () => {
  it('refuses a budget that is not an amount of dollars, and a chart file that is not SVG', async () => {
    await expect(estimate({ maxMonthly: 'lots' })).rejects.toMatchObject({ message: '--max-monthly lots: not an amount of dollars', exitCode: 2 });
    await expect(estimate({ out: path.join(temp.dir, 'chart.png') })).rejects.toThrow(/the chart is written as SVG/);
  });

  it('says whether the estimate is over the budget', async () => {
    // 1M Standard executions of two states cost tens of dollars at $0.025 per 1,000 transitions.
    expect((await estimate({ maxMonthly: '1' })).budget).toMatchObject({ over: true });
    expect((await estimate({ maxMonthly: '1000' })).budget).toMatchObject({ over: false });
  });

  it('prices a Step Functions region the snapshot lacks line by line as not priced, and says a budget verdict rests on the rest', async () => {
    // Step Functions runs in af-south-1, but the bundled snapshot holds no AWS figures for it: the bill is drawn, nothing guessed.
    const report = await estimate({ region: 'af-south-1', maxMonthly: '1' });
    const transitions = report.estimate.scenarios[0].items.find((item) => item.rateKey === 'sfn.transition')!;
    expect(transitions).toMatchObject({ cost: null });
    expect(transitions.notPriced).toMatch(/the bundled snapshot holds no AWS figures for af-south-1 .*run without --offline, with AWS credentials/);
    expect(report.budget).toMatchObject({ over: false, notPriced: 1 });
    expect(await costText(report)).toContain('judged on the priced lines only: 1 line item(s) not priced are not in $0.00');
    // A code that is no Step Functions region is a typo, refused.
    await expect(estimate({ region: 'xx-nowhere-1' })).rejects.toMatchObject({ exitCode: 2 });
  });

  it('writes the chart as SVG when --out asks for it, and draws it under the report', async () => {
    const out = path.join(temp.dir, 'chart.svg');
    const notes: string[] = [];
    const report = await estimate({ out }, notes);
    expect(report.chart).toBeDefined();
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg[\s\S]*Monthly cost vs executions · parcels/);
    expect(notes).toEqual([`chart written to ${out}`]);
    const text = await costText(report);
    expect(text.split('\n').length).toBeGreaterThan((await costText({ ...report, chart: undefined })).split('\n').length + 10);
  });

  it('fits its prose and its tables to a terminal\'s width, and keeps one line per item when not on one', async () => {
    const report = await estimate({ maxMonthly: '1' });
    const piped = (await costText(report)).split('\n');
    // Not a terminal: the prose lines are as written (a pasted report keeps them whole), the tables at most 100 wide.
    expect(piped.some((line) => visibleWidth(line) > 100)).toBe(true);
    expect(piped.find((line) => line.startsWith('  - always-free tier'))).toMatch(/a month$/);
    for (const columns of [80, 100]) {
      const lines = (await costText(report, columns)).split('\n');
      for (const line of lines) expect(visibleWidth(line), `${columns}: ${line}`).toBeLessThanOrEqual(columns);
      // Wrapped, not cut: every word is still there, and an assumption's lines after the first hang under its dash.
      expect(lines.join(' ').replaceAll(/\s+/g, ' ')).toContain('always-free tier applied once for the account, shared by every machine in every view');
      const assumption = lines.findIndex((line) => line.startsWith('  - always-free tier'));
      expect(lines[assumption + 1]).toMatch(/^ {4}\S/);
      expect(lines.some((line) => line.startsWith('Over budget:'))).toBe(true);
    }
  });
});
