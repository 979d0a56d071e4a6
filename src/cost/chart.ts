/**
 * Monthly cost against executions a month, both axes logarithmic, for Standard
 * and Express: as Unicode text for the terminal and as a self-contained SVG.
 */
import { paint } from '../ui/colors.js';
import type { Chart } from './estimate.js';

const compact = (value: number): string => {
  const units: Array<[number, string]> = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) if (value >= size) return `${Number((value / size).toPrecision(3))}${suffix}`;
  return String(Math.round(value));
};

const dollars = (value: number): string => {
  if (value >= 1000) return `$${compact(value)}`;
  if (value >= 1) return `$${Number(value.toPrecision(3))}`;
  return `$${Number(value.toPrecision(2))}`;
};

interface Scale {
  x(executions: number): number;
  y(cost: number): number;
  minCost: number;
  maxCost: number;
  decades: number[];
}

function scales(chart: Chart, width: number, height: number): Scale {
  const from = chart.points[0].executions;
  const to = chart.points[chart.points.length - 1].executions;
  const costs = chart.points.flatMap((point) => [point.standard, point.express]).filter((cost) => cost > 0);
  const minCost = 10 ** Math.floor(Math.log10(Math.max(0.0001, Math.min(...costs, 1))));
  const maxCost = 10 ** Math.ceil(Math.log10(Math.max(minCost * 10, ...costs)));
  const decades: number[] = [];
  for (let cost = minCost; cost <= maxCost * 1.0001; cost *= 10) decades.push(cost);
  return {
    x: (executions) => ((Math.log10(executions) - Math.log10(from)) / (Math.log10(to) - Math.log10(from))) * width,
    // Free (zero) months sit on the floor of the chart.
    y: (cost) => height - ((Math.log10(Math.max(cost, minCost)) - Math.log10(minCost)) / (Math.log10(maxCost) - Math.log10(minCost))) * height,
    minCost,
    maxCost,
    decades,
  };
}

function inRange(chart: Chart, executions: number | undefined): boolean {
  return executions !== undefined && executions >= chart.points[0].executions && executions <= chart.points[chart.points.length - 1].executions;
}

export function renderTerminalChart(chart: Chart, width = 60, height = 16): string {
  const scale = scales(chart, width - 1, height - 1);
  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => ' '));
  const put = (column: number, row: number, glyph: string) => {
    const c = Math.round(column);
    const r = Math.round(row);
    if (r >= 0 && r < height && c >= 0 && c < width) grid[r][c] = glyph;
  };
  const markers: Array<[number | undefined, string]> = [
    [chart.freeTierKnee, '┆'],
    [chart.breakEven, '│'],
  ];
  for (const [executions, glyph] of markers) {
    if (!inRange(chart, executions)) continue;
    for (let row = 0; row < height; row++) put(scale.x(executions!), row, glyph);
  }
  for (let column = 0; column < width; column++) {
    const executions = 10 ** (Math.log10(chart.points[0].executions) + (column / (width - 1)) * Math.log10(chart.points[chart.points.length - 1].executions / chart.points[0].executions));
    const at = interpolate(chart, executions);
    const standardRow = Math.round(scale.y(at.standard));
    const expressRow = Math.round(scale.y(at.express));
    put(column, standardRow, paint.accent('●'));
    put(column, expressRow, standardRow === expressRow ? paint.strong('◆') : paint.warning('▲'));
  }
  const labels = new Map<number, string>();
  for (const cost of scale.decades) labels.set(Math.round(scale.y(cost)), dollars(cost));
  const labelWidth = Math.max(...[...labels.values()].map((label) => label.length));
  const lines = grid.map((row, index) => `${(labels.get(index) ?? '').padStart(labelWidth)} ┤${row.join('')}`);
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(width)}`);
  const axis = Array.from({ length: width + 2 }, () => ' ');
  for (let exponent = Math.ceil(Math.log10(chart.points[0].executions)); 10 ** exponent <= chart.points[chart.points.length - 1].executions; exponent++) {
    const label = compact(10 ** exponent);
    const start = Math.min(width + 2 - label.length, Math.max(0, Math.round(scale.x(10 ** exponent)) + 1 - Math.floor(label.length / 2)));
    for (let i = 0; i < label.length; i++) axis[start + i] = label[i];
  }
  lines.push(`${' '.repeat(labelWidth)}${axis.join('')}   executions/month`);
  lines.push('');
  lines.push(`  ${paint.accent('●')} Standard   ${paint.warning('▲')} Express   ${paint.strong('◆')} both`);
  if (inRange(chart, chart.breakEven)) lines.push(`  │ break-even at ${chart.breakEven!.toLocaleString('en-US')} executions/month`);
  else if (chart.breakEven !== undefined) {
    lines.push(`  break-even at ${chart.breakEven.toLocaleString('en-US')} executions/month, ${chart.breakEven < chart.points[0].executions ? 'left' : 'right'} of the chart`);
  } else lines.push('  no break-even: one type is cheaper at every volume');
  if (inRange(chart, chart.freeTierKnee)) lines.push(`  ┆ Step Functions free tier (4,000 transitions) used up at ${chart.freeTierKnee!.toLocaleString('en-US')} executions/month`);
  else if (chart.freeTierKnee !== undefined) lines.push(`  Step Functions free tier (4,000 transitions) used up at ${chart.freeTierKnee.toLocaleString('en-US')} executions/month, ${chart.freeTierKnee < chart.points[0].executions ? 'left' : 'right'} of the chart`);
  return lines.join('\n');
}

function interpolate(chart: Chart, executions: number): { standard: number; express: number } {
  const points = chart.points;
  for (let i = 1; i < points.length; i++) {
    if (executions <= points[i].executions) {
      const a = points[i - 1];
      const b = points[i];
      const t = (Math.log10(executions) - Math.log10(a.executions)) / (Math.log10(b.executions) - Math.log10(a.executions) || 1);
      return { standard: a.standard + (b.standard - a.standard) * t, express: a.express + (b.express - a.express) * t };
    }
  }
  return points[points.length - 1];
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A standalone SVG document (no scripts, no external fonts or styles). */
export function renderSvgChart(chart: Chart, title: string): string {
  const width = 760;
  const height = 460;
  const margin = { left: 80, right: 30, top: 50, bottom: 100 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const scale = scales(chart, plotWidth, plotHeight);
  const x = (executions: number) => (margin.left + scale.x(executions)).toFixed(1);
  const y = (cost: number) => (margin.top + scale.y(cost)).toFixed(1);
  const path = (key: 'standard' | 'express') => chart.points.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(point.executions)},${y(point[key])}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(title)}</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin.left}" y="28" font-size="16" font-weight="600" fill="#111">${escapeXml(title)}</text>`);
  for (const cost of scale.decades) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(cost)}" y2="${y(cost)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(cost)}" text-anchor="end" dominant-baseline="middle" fill="#374151">${escapeXml(dollars(cost))}</text>`);
  }
  const first = chart.points[0].executions;
  const last = chart.points[chart.points.length - 1].executions;
  for (let exponent = Math.ceil(Math.log10(first)); 10 ** exponent <= last; exponent++) {
    const executions = 10 ** exponent;
    parts.push(`<line x1="${x(executions)}" x2="${x(executions)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${x(executions)}" y="${height - margin.bottom + 18}" text-anchor="middle" fill="#374151">${compact(executions)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#9ca3af"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${height - margin.bottom + 40}" text-anchor="middle" fill="#111">executions per month (log scale)</text>`);
  parts.push(`<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#111">monthly cost, USD (log scale)</text>`);
  if (inRange(chart, chart.freeTierKnee)) {
    parts.push(`<line x1="${x(chart.freeTierKnee!)}" x2="${x(chart.freeTierKnee!)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#6b7280" stroke-dasharray="2 4"/>`);
    parts.push(`<text x="${x(chart.freeTierKnee!)}" y="${margin.top - 6}" text-anchor="middle" fill="#6b7280">free tier ends · ${compact(chart.freeTierKnee!)}</text>`);
  }
  if (inRange(chart, chart.breakEven)) {
    parts.push(`<line x1="${x(chart.breakEven!)}" x2="${x(chart.breakEven!)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#dc2626" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${x(chart.breakEven!)}" y="${height - margin.bottom - 8}" text-anchor="start" dx="4" fill="#dc2626">break-even · ${compact(chart.breakEven!)}/month</text>`);
  }
  if (inRange(chart, chart.lambdaFreeTierKnee)) {
    parts.push(`<line x1="${x(chart.lambdaFreeTierKnee!)}" x2="${x(chart.lambdaFreeTierKnee!)}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#9ca3af" stroke-dasharray="1 5"/>`);
    parts.push(`<text x="${x(chart.lambdaFreeTierKnee!)}" y="${margin.top + 14}" text-anchor="middle" fill="#9ca3af">Lambda free requests end · ${compact(chart.lambdaFreeTierKnee!)}</text>`);
  }
  parts.push(`<path d="${path('standard')}" fill="none" stroke="#2563eb" stroke-width="2.5"/>`);
  parts.push(`<path d="${path('express')}" fill="none" stroke="#ea580c" stroke-width="2.5"/>`);
  const legendY = height - 42;
  parts.push(`<line x1="${margin.left}" x2="${margin.left + 24}" y1="${legendY}" y2="${legendY}" stroke="#2563eb" stroke-width="2.5"/>`);
  parts.push(`<text x="${margin.left + 30}" y="${legendY}" dominant-baseline="middle">Standard</text>`);
  parts.push(`<line x1="${margin.left + 110}" x2="${margin.left + 134}" y1="${legendY}" y2="${legendY}" stroke="#ea580c" stroke-width="2.5"/>`);
  parts.push(`<text x="${margin.left + 140}" y="${legendY}" dominant-baseline="middle">Express</text>`);
  const outside: string[] = [];
  const side = (executions: number) => (executions < first ? 'left of the chart' : 'right of the chart');
  if (chart.breakEven === undefined) outside.push('no break-even');
  else if (!inRange(chart, chart.breakEven)) outside.push(`break-even at ${chart.breakEven.toLocaleString('en-US')}/month (${side(chart.breakEven)})`);
  if (chart.freeTierKnee !== undefined && !inRange(chart, chart.freeTierKnee)) {
    outside.push(`Step Functions free tier ends at ${chart.freeTierKnee.toLocaleString('en-US')}/month (${side(chart.freeTierKnee)})`);
  }
  if (outside.length > 0) parts.push(`<text x="${margin.left}" y="${legendY + 24}" dominant-baseline="middle" fill="#6b7280">${escapeXml(outside.join(' · '))}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
