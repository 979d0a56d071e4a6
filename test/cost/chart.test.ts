import { describe, expect, it } from 'vitest';
import { renderSvgChart, renderTerminalChart } from '../../src/cost/chart.js';
import { stripAnsi } from '../../src/ui/colors.js';
import type { Chart } from '../../src/cost/estimate.js';

// Standard: 10 transitions an execution at $0.000025 after 4,000 free; Express: $0.0000025 an execution.
function chart(): Chart {
  const points = [];
  for (let step = 0; step <= 60; step++) {
    const executions = Math.round(1_000 * 10 ** (step / 12));
    points.push({ executions, standard: Math.max(0, executions * 10 - 4_000) * 0.000025, express: executions * 0.0000025 });
  }
  return { points, breakEven: 401, freeTierKnee: 400, expressLabel: 'Express' };
}

describe('cost chart', () => {
  it('draws both curves on log axes in the terminal, with a legend and the markers it can place', () => {
    const text = stripAnsi(renderTerminalChart({ ...chart(), breakEven: 5_000, freeTierKnee: 2_000 }));
    expect(text).toContain('●');
    expect(text).toContain('▲');
    expect(text).toMatch(/1k\s+10k\s+100k\s+1M\s+10M\s+100M/);
    expect(text).toContain('│ break-even at 5,000 executions/month');
    expect(text).toContain('┆ Step Functions free tier (4,000 transitions) used up at 2,000 executions/month');
  });

  it('says so when break-even and knee fall left of 1k', () => {
    const text = stripAnsi(renderTerminalChart(chart()));
    expect(text).toContain('break-even at 401 executions/month, left of the chart');
    expect(stripAnsi(renderTerminalChart({ ...chart(), breakEven: undefined }))).toContain('no break-even: one type is cheaper at every volume');
    expect(text).toMatch(/used up at 400 executions\/month, left of the chart/);
  });

  it('names in the SVG the markers that fall outside 1k–100M', () => {
    const svg = renderSvgChart(chart(), 'Cost');
    expect(svg).toContain('Step Functions free tier (4,000 transitions) used up at 400/month (left of the chart) · break-even at 401/month (left of the chart)');
  });

  it('writes a self-contained SVG with both curves, break-even and free-tier knee', () => {
    const svg = renderSvgChart({ ...chart(), breakEven: 5_000, freeTierKnee: 2_000 }, 'Cost <orders>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href=/);
    expect(svg.match(/<path d="M/g)).toHaveLength(2);
    expect(svg).toContain('break-even · 5k/month');
    expect(svg).toContain('free transitions end · 2k');
    expect(svg).toContain('Cost &lt;orders&gt;');
  });

  it('draws a free month on the $0 line, below the lowest decade, not on the floor', () => {
    const svg = renderSvgChart(chart(), 'Cost');
    const zero = /<text x="72" y="([\d.]+)"[^>]*>\$0<\/text>/.exec(svg)!;
    // Standard is free up to 400 executions; the chart starts at 1k here, so move the start left of the knee.
    const free = renderSvgChart({ ...chart(), points: [{ executions: 100, standard: 0, express: 0.00025 }, ...chart().points] }, 'Cost');
    const start = /<path d="M([\d.]+),([\d.]+)/.exec(free)!;
    expect(start[2]).toBe(/<text x="72" y="([\d.]+)"[^>]*>\$0<\/text>/.exec(free)![1]);
    expect(zero).not.toBeNull();
  });

  it('has no Express curve when no machine can run as Express', () => {
    const standardOnly: Chart = { ...chart(), points: chart().points.map((point) => ({ ...point, express: null })), breakEven: undefined, expressLabel: undefined };
    const svg = renderSvgChart(standardOnly, 'Cost');
    expect(svg.match(/<path d="M/g)).toHaveLength(1);
    expect(svg).toContain('no Express curve: no machine can run as Express');
    expect(stripAnsi(renderTerminalChart(standardOnly))).not.toContain('▲');
  });

  it('stacks marker labels that would overlap into rows of their own', () => {
    const crowded: Chart = { ...chart(), breakEven: 2_100, freeTierKnee: 2_000, lambdaFreeTierKnee: 2_500, lambdaComputeKnee: 3_000 };
    const svg = renderSvgChart(crowded, 'Cost');
    const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)" fill="#[0-9a-f]+">([^<]+)<\/text>/g)].map((match) => ({ x: Number(match[1]), y: Number(match[2]), text: match[4] }));
    expect(labels.map((label) => label.text)).toEqual(['free transitions end · 2k', 'break-even · 2.1k/month', 'Lambda free requests end · 2.5k', 'Lambda free GB-s end · 3k']);
    expect(new Set(labels.map((label) => label.y)).size).toBe(4);
    expect(svg).toContain('Lambda free GB-s end · 3k');
  });
});

/** The marker labels and lines of an SVG chart, as boxes and segments (text boxes at 12 px, 0.6 em a character, as the renderer judges them). */
function markerGeometry(svg: string) {
  const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" text-anchor="(start|end)" fill="(#[0-9a-f]+)">([^<]+)<\/text>/g)].map((match) => {
    const x = Number(match[1]);
    const width = match[5].length * 12 * 0.6;
    const left = match[3] === 'end' ? x - width : x;
    return { color: match[4], text: match[5], left, right: left + width, top: Number(match[2]) - 10, bottom: Number(match[2]) + 2 };
  });
  const lines = [...svg.matchAll(/<line x1="([\d.]+)" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)" stroke="(#[0-9a-f]+)" stroke-dasharray/g)].map((match) => ({ color: match[4], x: Number(match[1]), top: Number(match[2]), bottom: Number(match[3]) }));
  return { labels, lines };
}

describe('cost chart geometry', () => {
  // order-fulfillment's markers at 100k executions a month: the free transitions end at 615, Lambda's free requests at 286k and its GB-s at 5.42M.
  const spread: Chart = { ...chart(), points: [{ executions: 100, standard: 0, express: null }, ...chart().points.map((point) => ({ ...point, express: null }))], breakEven: undefined, expressLabel: undefined, freeTierKnee: 615, lambdaFreeTierKnee: 285_714, lambdaComputeKnee: 5_424_000 };
  const cases: Array<[string, Chart]> = [
    ['far apart, one label long enough to reach past the next line', spread],
    ['crowded into one decade', { ...chart(), breakEven: 2_100, freeTierKnee: 2_000, lambdaFreeTierKnee: 2_500, lambdaComputeKnee: 3_000 }],
    ['two pairs', { ...chart(), breakEven: 1_160, freeTierKnee: 1_140, lambdaFreeTierKnee: 2_000_000, lambdaComputeKnee: 71_100_000 }],
    ['two on the same line', { ...chart(), breakEven: 20_000, freeTierKnee: 20_000, lambdaComputeKnee: 20_100 }],
  ];
  for (const [what, subject] of cases) {
    it(`keeps every marker label clear of the other labels, the other markers' lines and the edges: ${what}`, () => {
      const svg = renderSvgChart(subject, 'Monthly cost vs executions · order-fulfillment · us-east-1');
      const { labels, lines } = markerGeometry(svg);
      expect(labels).toHaveLength(lines.length);
      for (const label of labels) {
        expect(label.left, label.text).toBeGreaterThanOrEqual(0);
        expect(label.right, label.text).toBeLessThanOrEqual(760);
        // Below the title (its baseline at 28 px).
        expect(label.top, label.text).toBeGreaterThan(28);
        for (const other of labels) {
          if (other === label) continue;
          const apart = other.right <= label.left || other.left >= label.right || other.bottom <= label.top || other.top >= label.bottom;
          expect(apart, `${label.text} overlaps ${other.text}`).toBe(true);
        }
        for (const line of lines) {
          if (line.color === label.color) continue;
          const crosses = line.x >= label.left - 2 && line.x <= label.right + 2 && line.top < label.bottom && line.bottom > label.top;
          expect(crosses, `the ${line.color} line at x=${line.x} crosses ${label.text}`).toBe(false);
        }
      }
    });
  }
});

/** The terminal chart's plot as a grid of characters (right of the axis), and its legend lines as [glyph, sentence]. */
function terminalGeometry(text: string) {
  const lines = text.split('\n');
  const plot = lines.filter((line) => /^\s*\S*\s[┤╎]/.test(line)).map((line) => [...line.replace(/^\s*\S*\s[┤╎]/, '')]);
  const legend = lines.filter((line) => /^ {2}\S \S/.test(line)).map((line) => [line[2], line.slice(4)] as const);
  /** Columns where `glyph` runs down at least half the plot: a marker's line. */
  const columns = (glyph: string) => {
    const found: number[] = [];
    for (let column = 0; column < (plot[0]?.length ?? 0); column++) if (plot.filter((row) => row[column] === glyph).length >= plot.length / 2) found.push(column);
    return found;
  };
  return { plot, legend, columns };
}

describe('terminal chart geometry', () => {
  const cases: Array<[string, Chart]> = [
    ['break-even and the free-tier end in one column', { ...chart(), breakEven: 20_000, freeTierKnee: 20_100, lambdaComputeKnee: 3_000_000 }],
    ['three markers in one column, one apart', { ...chart(), breakEven: 5_000, freeTierKnee: 5_050, lambdaFreeTierKnee: 4_980, lambdaComputeKnee: 900_000 }],
    ['all apart', { ...chart(), breakEven: 5_000, freeTierKnee: 2_000, lambdaFreeTierKnee: 300_000, lambdaComputeKnee: 9_000_000 }],
  ];
  for (const [what, subject] of cases) {
    it(`draws a line for every marker its legend names, and names every line it draws: ${what}`, () => {
      const { legend, columns } = terminalGeometry(stripAnsi(renderTerminalChart(subject)));
      const markerLines = legend.filter(([, sentence]) => /used up at|break-even at/.test(sentence));
      // Every in-range marker is in the legend (none falls outside 1k–100M here).
      expect(markerLines).toHaveLength([subject.breakEven, subject.freeTierKnee, subject.lambdaFreeTierKnee, subject.lambdaComputeKnee].filter((value) => value !== undefined).length);
      for (const [glyph, sentence] of markerLines) expect(columns(glyph), `no ${glyph} line on the chart for: ${sentence}`).toHaveLength(1);
      // Two legend glyphs never stand for one line, unless the line says it is shared.
      const byGlyph = new Map<string, string[]>();
      for (const [glyph, sentence] of markerLines) byGlyph.set(glyph, [...(byGlyph.get(glyph) ?? []), sentence]);
      for (const [glyph, sentences] of byGlyph) {
        if (sentences.length > 1) for (const sentence of sentences) expect(sentence, glyph).toContain(`(${sentences.length} markers in one column)`);
      }
    });
  }

  it('gives markers in one column a glyph of their own, and each its own legend line', () => {
    const text = stripAnsi(renderTerminalChart({ ...chart(), breakEven: 20_000, freeTierKnee: 20_100 }));
    expect(text).toContain('║ Step Functions free tier (4,000 transitions) used up at 20,100 executions/month (2 markers in one column)');
    expect(text).toContain('║ break-even at 20,000 executions/month (2 markers in one column)');
    expect(text).not.toContain('│ break-even');
  });
});
