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
  /** Zero sits on its own line below the lowest decade: a log axis has no zero, and a free month is not a cent. */
  y(cost: number): number;
  minCost: number;
  maxCost: number;
  decades: number[];
}

const curveCosts = (chart: Chart): number[] => chart.points.flatMap((point) => (point.express === null ? [point.standard] : [point.standard, point.express]));

function scales(chart: Chart, width: number, height: number, zeroBand: number): Scale {
  const from = chart.points[0].executions;
  const to = chart.points[chart.points.length - 1].executions;
  const costs = curveCosts(chart).filter((cost) => cost > 0);
  const minCost = 10 ** Math.floor(Math.log10(Math.max(0.0001, Math.min(...costs, 1))));
  const maxCost = 10 ** Math.ceil(Math.log10(Math.max(minCost * 10, ...costs)));
  const decades: number[] = [];
  for (let cost = minCost; cost <= maxCost * 1.0001; cost *= 10) decades.push(cost);
  const logHeight = height - zeroBand;
  return {
    x: (executions) => ((Math.log10(executions) - Math.log10(from)) / (Math.log10(to) - Math.log10(from))) * width,
    y: (cost) => (cost <= 0 ? height : logHeight - ((Math.log10(Math.max(cost, minCost)) - Math.log10(minCost)) / (Math.log10(maxCost) - Math.log10(minCost))) * logHeight),
    minCost,
    maxCost,
    decades,
  };
}

function inRange(chart: Chart, executions: number | undefined): boolean {
  return executions !== undefined && executions >= chart.points[0].executions && executions <= chart.points[chart.points.length - 1].executions;
}

interface Marker {
  executions: number;
  /** Short label on the chart. */
  label: string;
  /** The sentence under the terminal chart. */
  sentence: string;
  glyph: string;
  color: string;
  dash: string;
}

/** The line drawn where two or more markers fall in the same terminal column. */
const SHARED_GLYPH = '║';

function markers(chart: Chart): Marker[] {
  const list: Marker[] = [];
  const count = (value: number) => value.toLocaleString('en-US');
  if (chart.breakEven !== undefined) {
    list.push({ executions: chart.breakEven, label: `break-even · ${compact(chart.breakEven)}/month`, sentence: `break-even at ${count(chart.breakEven)} executions/month`, glyph: '│', color: '#dc2626', dash: '6 4' });
  }
  if (chart.freeTierKnee !== undefined) {
    list.push({
      executions: chart.freeTierKnee,
      label: `free transitions end · ${compact(chart.freeTierKnee)}`,
      sentence: `Step Functions free tier (4,000 transitions) used up at ${count(chart.freeTierKnee)} executions/month`,
      glyph: '┆',
      color: '#6b7280',
      dash: '2 4',
    });
  }
  if (chart.lambdaFreeTierKnee !== undefined) {
    list.push({
      executions: chart.lambdaFreeTierKnee,
      label: `Lambda free requests end · ${compact(chart.lambdaFreeTierKnee)}`,
      sentence: `Lambda free tier (1M requests) used up at ${count(chart.lambdaFreeTierKnee)} executions/month`,
      glyph: '╎',
      color: '#7c3aed',
      dash: '1 5',
    });
  }
  if (chart.lambdaComputeKnee !== undefined) {
    list.push({
      executions: chart.lambdaComputeKnee,
      label: `Lambda free GB-s end · ${compact(chart.lambdaComputeKnee)}`,
      sentence: `Lambda free tier (400,000 GB-s) used up at ${count(chart.lambdaComputeKnee)} executions/month`,
      glyph: '╏',
      color: '#0d9488',
      dash: '4 3',
    });
  }
  return list.sort((a, b) => a.executions - b.executions);
}

export function renderTerminalChart(chart: Chart, width = 60, height = 16): string {
  if (chart.notPriced !== undefined) return paint.warning(`  No chart: the Step Functions charges are not priced here, and curves at $0 would be wrong (${chart.notPriced})`);
  // The last row is $0, under a gap row.
  const scale = scales(chart, width - 1, height - 1, 2);
  const grid: string[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => ' '));
  const put = (column: number, row: number, glyph: string) => {
    const c = Math.round(column);
    const r = Math.round(row);
    if (r >= 0 && r < height && c >= 0 && c < width) grid[r][c] = glyph;
  };
  const all = markers(chart);
  const placed = all.filter((marker) => inRange(chart, marker.executions));
  // Markers that fall in one column share a glyph of their own, which each of their legend lines carries:
  // one drawn over the other would leave a legend line pointing at nothing.
  const columnOf = (marker: Marker) => Math.round(scale.x(marker.executions));
  const glyphOf = new Map<Marker, string>();
  for (const marker of placed) glyphOf.set(marker, placed.filter((other) => columnOf(other) === columnOf(marker)).length > 1 ? SHARED_GLYPH : marker.glyph);
  for (const marker of placed) for (let row = 0; row < height; row++) put(columnOf(marker), row, glyphOf.get(marker)!);
  for (let column = 0; column < width; column++) {
    const executions = 10 ** (Math.log10(chart.points[0].executions) + (column / (width - 1)) * Math.log10(chart.points[chart.points.length - 1].executions / chart.points[0].executions));
    const at = interpolate(chart, executions);
    const standardRow = Math.round(scale.y(at.standard));
    put(column, standardRow, paint.accent('●'));
    if (at.express !== null) {
      const expressRow = Math.round(scale.y(at.express));
      put(column, expressRow, standardRow === expressRow ? paint.strong('◆') : paint.warning('▲'));
    }
  }
  const labels = new Map<number, string>();
  for (const cost of scale.decades) {
    const row = Math.round(scale.y(cost));
    if (!labels.has(row)) labels.set(row, dollars(cost));
  }
  labels.set(height - 1, '$0');
  const labelWidth = Math.max(...[...labels.values()].map((label) => label.length));
  const lines = grid.map((row, index) => `${(labels.get(index) ?? '').padStart(labelWidth)} ${index === height - 2 ? '╎' : '┤'}${row.join('')}`);
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(width)}`);
  const axis = Array.from({ length: width + 2 }, () => ' ');
  let free = 0;
  for (let exponent = Math.ceil(Math.log10(chart.points[0].executions)); 10 ** exponent <= chart.points[chart.points.length - 1].executions; exponent++) {
    const label = compact(10 ** exponent);
    const start = Math.min(width + 2 - label.length, Math.max(0, Math.round(scale.x(10 ** exponent)) + 1 - Math.floor(label.length / 2)));
    // A label that would touch the previous one is left out rather than drawn over it.
    if (start < free) continue;
    for (let i = 0; i < label.length; i++) axis[start + i] = label[i];
    free = start + label.length + 1;
  }
  lines.push(`${' '.repeat(labelWidth)}${axis.join('')}   executions/month`);
  lines.push('');
  const express = chart.expressLabel ? `   ${paint.warning('▲')} ${chart.expressLabel}   ${paint.strong('◆')} both` : '   (no Express curve: no machine can run as Express)';
  lines.push(`  ${paint.accent('●')} Standard${express}`);
  for (const marker of all) {
    const glyph = glyphOf.get(marker);
    if (glyph === SHARED_GLYPH) lines.push(`  ${glyph} ${marker.sentence} (${placed.filter((other) => columnOf(other) === columnOf(marker)).length} markers in one column)`);
    else if (glyph) lines.push(`  ${glyph} ${marker.sentence}`);
    else lines.push(`  ${marker.sentence}, ${marker.executions < chart.points[0].executions ? 'left' : 'right'} of the chart`);
  }
  if (chart.breakEven === undefined && chart.expressLabel) lines.push('  no break-even: one type is cheaper at every volume');
  if (chart.leftOut) lines.push(`  not priced, left out of both curves: ${chart.leftOut.join(', ')}`);
  return lines.join('\n');
}

function interpolate(chart: Chart, executions: number): { standard: number; express: number | null } {
  const points = chart.points;
  for (let i = 1; i < points.length; i++) {
    if (executions <= points[i].executions) {
      const a = points[i - 1];
      const b = points[i];
      const t = (Math.log10(executions) - Math.log10(a.executions)) / (Math.log10(b.executions) - Math.log10(a.executions) || 1);
      const express = a.express === null || b.express === null ? null : a.express + (b.express - a.express) * t;
      return { standard: a.standard + (b.standard - a.standard) * t, express };
    }
  }
  return points[points.length - 1];
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Width of a label at 12 px system-ui, generously: collisions are judged on it. */
const textWidth = (text: string, size = 12) => text.length * size * 0.6;

interface LabelSlot {
  at: number;
  row: number;
  anchorEnd: boolean;
  left: number;
  right: number;
}

/** Whether a label may sit at `slot` beside those already laid (see renderSvgChart). */
function clear(slot: LabelSlot, laid: readonly LabelSlot[]): boolean {
  return laid.every((other) => {
    if (other.row === slot.row) return other.right + 8 <= slot.left || slot.right + 8 <= other.left;
    const [upper, lower] = other.row < slot.row ? [other, slot] : [slot, other];
    return upper.at < lower.left - 3 || upper.at > lower.right + 3;
  });
}

/** Rows and sides for marker labels (line at `at`, label `width` wide) so that no label meets another label or another marker's line. */
export function layMarkerLabels(markers: ReadonlyArray<{ at: number; width: number }>, rightEdge: number): Array<{ row: number; anchorEnd: boolean; at: number }> {
  const options = (marker: { at: number; width: number }, row: number): LabelSlot[] => {
    const right = { at: marker.at, row, anchorEnd: false, left: marker.at + 4, right: marker.at + 4 + marker.width };
    const left = { at: marker.at, row, anchorEnd: true, left: marker.at - 4 - marker.width, right: marker.at - 4 };
    const fitting = [right, left].filter((slot) => slot.left >= 0 && slot.right <= rightEdge);
    return fitting.length > 0 ? fitting : [marker.at > rightEdge / 2 ? left : right];
  };
  const search = (rows: number, laid: LabelSlot[]): LabelSlot[] | undefined => {
    if (laid.length === markers.length) return laid;
    for (let row = 0; row < rows; row++) {
      for (const slot of options(markers[laid.length], row)) {
        if (!clear(slot, laid)) continue;
        const found = search(rows, [...laid, slot]);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (let rows = 1; rows <= markers.length; rows++) {
    const found = search(rows, []);
    if (found) return found;
  }
  // Nothing parts them all (lines closer than a label's height): one row each, in order.
  return markers.map((marker, row) => ({ ...options(marker, row)[0] }));
}

/** A standalone SVG document (no scripts, no external fonts or styles). */
export function renderSvgChart(chart: Chart, title: string): string {
  const width = 760;
  if (chart.notPriced !== undefined) {
    return `${[
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="120" viewBox="0 0 ${width} 120" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
      `<title>${escapeXml(title)}</title>`,
      `<rect width="${width}" height="120" fill="#ffffff"/>`,
      `<text x="30" y="40" font-size="16" font-weight="600" fill="#111">${escapeXml(title)}</text>`,
      `<text x="30" y="72" fill="#b45309">No chart: the Step Functions charges are not priced here, and curves at $0 would be wrong.</text>`,
      `<text x="30" y="94" fill="#6b7280">${escapeXml(chart.notPriced.length > 120 ? `${chart.notPriced.slice(0, 117)}...` : chart.notPriced)}</text>`,
      '</svg>',
    ].join('\n')}\n`;
  }
  const placed = markers(chart).filter((marker) => inRange(chart, marker.executions));
  const margin = { left: 80, right: 30, top: 50, bottom: 100 };
  const plotWidth = width - margin.left - margin.right;
  // Marker labels sit in rows above the plot; each marker's line runs from its label down through the rows
  // below it, so a label must clear the other labels of its row and the lines of the markers above it, and its
  // own line must clear the labels below it. Markers are few (four at most): the fewest rows that part them all
  // are searched for, each label right of its line where it can be.
  const laid = layMarkerLabels(
    placed.map((marker) => ({
      at: margin.left + ((Math.log10(marker.executions) - Math.log10(chart.points[0].executions)) / (Math.log10(chart.points[chart.points.length - 1].executions) - Math.log10(chart.points[0].executions))) * plotWidth,
      width: textWidth(marker.label),
    })),
    width - margin.right,
  );
  const labelRows = placed.map((marker, index) => ({ marker, ...laid[index] }));
  const rowCount = laid.reduce((most, slot) => Math.max(most, slot.row + 1), 0);
  const labelBand = rowCount * 16;
  margin.top += labelBand;
  const height = 460 + labelBand;
  const plotHeight = height - margin.top - margin.bottom;
  const zeroBand = 22;
  const scale = scales(chart, plotWidth, plotHeight, zeroBand);
  const x = (executions: number) => (margin.left + scale.x(executions)).toFixed(1);
  const y = (cost: number) => (margin.top + scale.y(cost)).toFixed(1);
  const path = (values: Array<[number, number]>) => values.map(([executions, cost], index) => `${index === 0 ? 'M' : 'L'}${x(executions)},${y(cost)}`).join(' ');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  parts.push(`<title>${escapeXml(title)}</title>`);
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const titleSize = Math.min(16, Math.floor((width - margin.left) / (title.length * 0.6)));
  parts.push(`<text x="${margin.left}" y="28" font-size="${Math.max(10, titleSize)}" font-weight="600" fill="#111">${escapeXml(title)}</text>`);
  for (const cost of scale.decades) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(cost)}" y2="${y(cost)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${margin.left - 8}" y="${y(cost)}" text-anchor="end" dominant-baseline="middle" fill="#374151">${escapeXml(dollars(cost))}</text>`);
  }
  parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(0)}" y2="${y(0)}" stroke="#e5e7eb"/>`);
  parts.push(`<text x="${margin.left - 8}" y="${y(0)}" text-anchor="end" dominant-baseline="middle" fill="#374151">$0</text>`);
  // The axis break between $0 and the lowest decade.
  const breakY = margin.top + plotHeight - zeroBand / 2;
  for (const dy of [3, 7]) parts.push(`<line x1="${margin.left - 5}" x2="${margin.left + 5}" y1="${breakY + dy}" y2="${breakY + dy - 6}" stroke="#9ca3af"/>`);
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
  for (const { marker, row, anchorEnd, at } of labelRows) {
    const labelY = margin.top - labelBand + row * 16 - 4;
    parts.push(`<line x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${labelY + 4}" y2="${height - margin.bottom}" stroke="${marker.color}" stroke-dasharray="${marker.dash}"/>`);
    parts.push(`<text x="${(anchorEnd ? at - 4 : at + 4).toFixed(1)}" y="${labelY}" text-anchor="${anchorEnd ? 'end' : 'start'}" fill="${marker.color}">${escapeXml(marker.label)}</text>`);
  }
  parts.push(`<path d="${path(chart.points.map((point) => [point.executions, point.standard]))}" fill="none" stroke="#2563eb" stroke-width="2.5"/>`);
  if (chart.expressLabel) {
    parts.push(`<path d="${path(chart.points.filter((point) => point.express !== null).map((point) => [point.executions, point.express!]))}" fill="none" stroke="#ea580c" stroke-width="2.5"/>`);
  }
  const legendY = height - 42;
  parts.push(`<line x1="${margin.left}" x2="${margin.left + 24}" y1="${legendY}" y2="${legendY}" stroke="#2563eb" stroke-width="2.5"/>`);
  parts.push(`<text x="${margin.left + 30}" y="${legendY}" dominant-baseline="middle">Standard</text>`);
  if (chart.expressLabel) {
    parts.push(`<line x1="${margin.left + 110}" x2="${margin.left + 134}" y1="${legendY}" y2="${legendY}" stroke="#ea580c" stroke-width="2.5"/>`);
    parts.push(`<text x="${margin.left + 140}" y="${legendY}" dominant-baseline="middle">${escapeXml(chart.expressLabel)}</text>`);
  } else {
    parts.push(`<text x="${margin.left + 110}" y="${legendY}" dominant-baseline="middle" fill="#6b7280">no Express curve: no machine can run as Express</text>`);
  }
  const outside: string[] = [];
  const side = (executions: number) => (executions < first ? 'left of the chart' : 'right of the chart');
  if (chart.breakEven === undefined && chart.expressLabel) outside.push('no break-even');
  if (chart.leftOut) outside.push(`${chart.leftOut.length} line item(s) not priced, left out of both curves`);
  for (const marker of markers(chart)) if (!inRange(chart, marker.executions)) outside.push(`${marker.sentence.replace(' executions/month', '/month')} (${side(marker.executions)})`);
  if (outside.length > 0) parts.push(`<text x="${margin.left}" y="${legendY + 24}" dominant-baseline="middle" fill="#6b7280">${escapeXml(outside.join(' · '))}</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
