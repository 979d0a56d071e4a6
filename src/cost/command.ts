/**
 * `deliv cost` as one call: the flags' values checked, histories measured on
 * the target when asked (connecting only then), the estimate (runCost), and
 * the chart's SVG written. The command prints `costText(report)` and returns
 * the `CostReport` as its --json document.
 */
import { writeFileSync } from 'node:fs';
import type { Connection } from '../local/connect.js';
import { UsageError } from '../ui/errors.js';
import { withProgress } from '../ui/progress.js';
import { runCost, type CostOptions } from './index.js';
import type { CostReport } from './types.js';

export interface CostRequest extends Omit<CostOptions, 'maxMonthly' | 'measure' | 'note'> {
  /** `--max-monthly`, as typed: checked to be an amount of dollars. */
  maxMonthly?: string;
  /** Write the chart as SVG here (asking for the file is asking for the chart). */
  out?: string;
}

export async function estimateCost(request: CostRequest, note: (text: string) => void): Promise<CostReport> {
  const maxMonthly = request.maxMonthly === undefined ? undefined : Number(request.maxMonthly);
  if (maxMonthly !== undefined && !(Number.isFinite(maxMonthly) && maxMonthly >= 0)) {
    throw new UsageError(`--max-monthly ${request.maxMonthly}: not an amount of dollars`, { hint: 'e.g. --max-monthly 250' });
  }
  if (request.out && !/\.svg$/i.test(request.out)) throw new UsageError(`--out ${request.out}: the chart is written as SVG`, { hint: 'name the file *.svg' });
  let connection: Connection | undefined;
  const measure = async (machine: string, limit: number) => {
    const { connect } = await import('../local/connect.js');
    const { measureMachine } = await import('./measure.js');
    connection ??= await connect(request.project, { target: request.target }, note);
    return measureMachine(connection.sfn, machine, limit);
  };
  const report = await withProgress('Estimating the monthly cost', () => runCost({ ...request, chart: request.chart || request.out !== undefined, maxMonthly, measure }));
  if (report.chart && request.out) {
    const { renderSvgChart } = await import('./chart.js');
    const title = `Monthly cost vs executions · ${report.machines.map((machine) => machine.name).join(', ')} · ${report.region}`;
    writeFileSync(request.out, renderSvgChart(report.chart, title));
    note(`chart written to ${request.out}`);
  }
  return report;
}

/** The report as the terminal shows it (fitted to `columns` when it is one), with the chart under it when there is one. */
export async function costText(report: CostReport, columns?: number): Promise<string> {
  const { renderReport } = await import('./report.js');
  if (!report.chart) return renderReport(report, columns);
  const { renderTerminalChart } = await import('./chart.js');
  return [renderReport(report, columns), '', renderTerminalChart(report.chart)].join('\n');
}
