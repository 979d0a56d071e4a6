import type { ChalkInstance } from 'chalk';
import type { ExecutionSummary, StateOutcome } from './execution.js';
import { characterMetrics, layoutGraph, type EdgeRoute, type GraphLayout, type Point } from './layout.js';
import type { GraphModel } from './model.js';
import { graphemes, visibleWidth } from '../ui/width.js';

/**
 * The graph drawn with Unicode box characters for a terminal, from the ELK
 * layout computed in character cells. Labels shrink until the drawing fits
 * the width asked for.
 */

type Style = 'failed' | 'succeeded' | 'retried' | 'caught' | 'running' | 'muted' | 'accent' | 'label' | 'uncovered';

interface Cell {
  ch: string;
  style?: Style;
  /** The right half of a wide character (CJK, emoji) drawn in the cell before: it adds nothing to the row. */
  half?: boolean;
}

const UP = 1;
const DOWN = 2;
const LEFT = 4;
const RIGHT = 8;

const LINE_CHARS: Record<number, string> = {
  [UP | DOWN]: '│', [LEFT | RIGHT]: '─',
  [DOWN | RIGHT]: '┌', [DOWN | LEFT]: '┐', [UP | RIGHT]: '└', [UP | LEFT]: '┘',
  [UP | DOWN | RIGHT]: '├', [UP | DOWN | LEFT]: '┤', [DOWN | LEFT | RIGHT]: '┬', [UP | LEFT | RIGHT]: '┴',
  [UP | DOWN | LEFT | RIGHT]: '┼', [UP]: '│', [DOWN]: '│', [LEFT]: '─', [RIGHT]: '─',
};

interface BoxStyle {
  h: string;
  v: string;
  tl: string;
  tr: string;
  bl: string;
  br: string;
}

const BOXES: Record<'plain' | 'round' | 'heavy' | 'double' | 'dashed', BoxStyle> = {
  plain: { h: '─', v: '│', tl: '┌', tr: '┐', bl: '└', br: '┘' },
  round: { h: '─', v: '│', tl: '╭', tr: '╮', bl: '╰', br: '╯' },
  heavy: { h: '━', v: '┃', tl: '┏', tr: '┓', bl: '┗', br: '┛' },
  double: { h: '═', v: '║', tl: '╔', tr: '╗', bl: '╚', br: '╝' },
  dashed: { h: '╌', v: '╎', tl: '┌', tr: '┐', bl: '└', br: '┘' },
};

export interface AsciiOptions {
  /** Columns available; labels are shortened until the drawing fits (if it can). */
  width?: number;
  execution?: ExecutionSummary;
  /** A chalk instance to colour with; none means plain text. */
  colors?: ChalkInstance;
}

export interface AsciiResult {
  text: string;
  width: number;
  /** False when even the shortest labels could not bring the drawing within `width`. */
  fits: boolean;
}

/** Label lengths tried in turn, longest first, to fit the terminal. */
const ATTEMPTS: Array<[label: number, edgeLabel: number, spacing: number]> = [
  [32, 24, 3],
  [24, 18, 2],
  [18, 14, 2],
  [14, 10, 1],
  [10, 8, 1],
];

export async function renderAscii(model: GraphModel, options: AsciiOptions = {}): Promise<AsciiResult> {
  const limit = options.width ?? Number.POSITIVE_INFINITY;
  let best: { layout: GraphLayout; columns: number } | undefined;
  let attempt = 0;
  while (attempt < ATTEMPTS.length) {
    const [label, edgeLabel, spacing] = ATTEMPTS[attempt];
    const metrics = { ...characterMetrics(label, edgeLabel), nodeSpacing: spacing };
    const layout = await layoutGraph(model, metrics, options.execution);
    const columns = Math.ceil(layout.width) + 1;
    if (!best || columns < best.columns) best = { layout, columns };
    if (columns <= limit) break;
    // Layouts of big machines take a while: skip straight to labels short enough to fit in proportion.
    const wanted = (label * limit) / columns;
    let next = attempt + 1;
    while (next < ATTEMPTS.length - 1 && ATTEMPTS[next][0] > wanted) next++;
    attempt = next;
  }
  const text = draw(best!.layout, options);
  return { text, width: best!.columns, fits: best!.columns <= limit };
}

function draw(layout: GraphLayout, options: AsciiOptions): string {
  const width = Math.ceil(layout.width) + 1;
  const height = Math.ceil(layout.height) + 1;
  const grid: Cell[][] = Array.from({ length: height }, () => Array.from({ length: width }, () => ({ ch: ' ' })));
  const masks: number[][] = Array.from({ length: height }, () => new Array<number>(width).fill(0));
  const dashed: boolean[][] = Array.from({ length: height }, () => new Array<boolean>(width).fill(false));
  const put = (x: number, y: number, ch: string, style?: Style) => {
    if (y < 0 || y >= height || x < 0 || x >= width) return;
    const row = grid[y];
    // Drawing over either half of a wide character blanks its other half, so the row keeps its columns.
    if (row[x].half) row[x - 1] = { ch: ' ', style: row[x - 1].style };
    if (x + 1 < width && row[x + 1].half) row[x + 1] = { ch: ' ' };
    row[x] = { ch, style };
  };
  /** A character two columns wide: drawn in cell x, cell x + 1 holding its right half. */
  const putWide = (x: number, y: number, ch: string, style?: Style) => {
    if (y < 0 || y >= height || x < 0 || x + 1 >= width) return;
    put(x, y, ch, style);
    put(x + 1, y, '', style);
    grid[y][x + 1].half = true;
  };
  const execution = options.execution;

  const uncoveredCells: boolean[][] = Array.from({ length: height }, () => new Array<boolean>(width).fill(false));
  for (const route of layout.edges) traceEdge(route, masks, dashed, route.edge.uncovered ? uncoveredCells : undefined);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const mask = masks[y][x];
      if (!mask) continue;
      let ch = LINE_CHARS[mask] ?? '┼';
      if (dashed[y][x] && ch === '│') ch = '┆';
      if (dashed[y][x] && ch === '─') ch = '┄';
      put(x, y, ch, uncoveredCells[y][x] ? 'uncovered' : 'muted');
    }
  }
  for (const route of layout.edges) {
    if (!route.label) continue;
    const x = Math.round(route.label.x);
    const y = Math.round(route.label.y);
    writeText(x, y, route.label.text, 'label', width);
  }

  // Outer boxes first, so that nested boxes draw over their parent's inside.
  const boxes = [...layout.groups.map((group) => ({ group })), ...layout.nodes.map((node) => ({ node }))];
  const area = (item: (typeof boxes)[number]) => {
    const rect = 'group' in item ? item.group : item.node;
    return rect.width * rect.height;
  };
  boxes.sort((a, b) => area(b) - area(a));
  for (const item of boxes) {
    if ('group' in item) {
      const rect = cells(item.group);
      drawBox(rect, BOXES.dashed, 'muted');
      writeText(rect.x0 + 2, rect.y0, ` ${item.group.group.label} `, 'muted', rect.x1 - 2);
      continue;
    }
    const box = item.node;
    const rect = cells(box);
    if (box.node.kind !== 'state') {
      const text = box.node.kind === 'start' ? '( Start )' : '(  End  )';
      writeText(rect.x0, rect.y0, text, 'accent', rect.x1 + 1);
      continue;
    }
    const outcome: StateOutcome | undefined = execution ? (box.run?.outcome ?? 'not-reached') : undefined;
    const uncovered = box.node.uncovered === true;
    const style = uncovered ? 'uncovered' : outcomeStyle(outcome);
    // Uncovered states are dashed, so the drawing says it without colours too.
    const shape = uncovered ? BOXES.dashed : box.compound ? BOXES.double : box.node.type === 'Choice' ? BOXES.round : box.node.type === 'Fail' || outcome === 'failed' ? BOXES.heavy : BOXES.plain;
    drawBox(rect, shape, style, !box.compound);
    box.lines.forEach((line, index) => {
      const lineStyle = index === box.lines.length - 1 && execution ? style : index === 0 ? undefined : 'muted';
      writeText(rect.x0 + 2, rect.y0 + 1 + index, line, outcome === 'not-reached' ? 'muted' : lineStyle, rect.x1 - 1);
    });
  }
  for (const route of layout.edges) drawArrow(route);

  const lines = grid.map((row) => paintRow(row, options.colors).replace(/\s+$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[0] === '') lines.shift();
  return lines.join('\n');

  function cells(rect: { x: number; y: number; width: number; height: number }) {
    return { x0: Math.round(rect.x), y0: Math.round(rect.y), x1: Math.round(rect.x + rect.width) - 1, y1: Math.round(rect.y + rect.height) - 1 };
  }

  function drawBox(rect: { x0: number; y0: number; x1: number; y1: number }, shape: BoxStyle, style: Style | undefined, fill = false) {
    for (let x = rect.x0 + 1; x < rect.x1; x++) {
      put(x, rect.y0, shape.h, style);
      put(x, rect.y1, shape.h, style);
    }
    for (let y = rect.y0 + 1; y < rect.y1; y++) {
      put(rect.x0, y, shape.v, style);
      put(rect.x1, y, shape.v, style);
      if (fill) for (let x = rect.x0 + 1; x < rect.x1; x++) put(x, y, ' ');
    }
    put(rect.x0, rect.y0, shape.tl, style);
    put(rect.x1, rect.y0, shape.tr, style);
    put(rect.x0, rect.y1, shape.bl, style);
    put(rect.x1, rect.y1, shape.br, style);
  }

  /** `text` from column x, each character in as many cells as a terminal gives it, up to (not into) column limitX. */
  function writeText(x: number, y: number, text: string, style: Style | undefined, limitX: number) {
    let column = x;
    for (const { segment } of graphemes(text)) {
      const columns = visibleWidth(segment);
      if (columns === 0) continue;
      if (column + columns > limitX) break;
      if (columns > 1) putWide(column, y, segment, style);
      else put(column, y, segment, style);
      column += columns;
    }
  }

  function drawArrow(route: EdgeRoute) {
    const points = route.points.map(roundPoint);
    if (points.length < 2) return;
    const end = points[points.length - 1];
    const before = points[points.length - 2];
    const dx = Math.sign(end.x - before.x);
    const dy = Math.sign(end.y - before.y);
    const target = layout.nodes.find((box) => box.node.id === route.edge.to);
    let at = end;
    if (target && inside(cells(target), end)) at = { x: end.x - dx, y: end.y - dy };
    // A hollow arrowhead marks a transition no test took.
    const arrow = route.edge.uncovered ? (dy > 0 ? '▽' : dy < 0 ? '△' : dx > 0 ? '▷' : '◁') : dy > 0 ? '▼' : dy < 0 ? '▲' : dx > 0 ? '▶' : '◀';
    put(at.x, at.y, arrow, route.edge.uncovered ? 'uncovered' : route.edge.kind === 'catch' ? 'caught' : 'muted');
  }
}

function inside(rect: { x0: number; y0: number; x1: number; y1: number }, point: Point): boolean {
  return point.x >= rect.x0 && point.x <= rect.x1 && point.y >= rect.y0 && point.y <= rect.y1;
}

function roundPoint(point: Point): Point {
  return { x: Math.round(point.x), y: Math.round(point.y) };
}

/** Marks, on every cell an edge passes, which directions the line leaves that cell in. */
function traceEdge(route: EdgeRoute, masks: number[][], dashed: boolean[][], uncovered?: boolean[][]): void {
  const points = route.points.map(roundPoint);
  const mark = (x: number, y: number, bits: number) => {
    if (y < 0 || y >= masks.length || x < 0 || x >= masks[0].length) return;
    masks[y][x] |= bits;
    if (uncovered) uncovered[y][x] = true;
    if (route.edge.kind === 'catch' || uncovered) dashed[y][x] = true;
  };
  for (let index = 1; index < points.length; index++) {
    const from = points[index - 1];
    let to = points[index];
    // Rounding can leave a slightly diagonal segment; finish it with a corner.
    if (from.x !== to.x && from.y !== to.y) to = { x: from.x, y: to.y };
    if (from.x === to.x) {
      const step = Math.sign(to.y - from.y);
      for (let y = from.y; y !== to.y; y += step) {
        mark(from.x, y, step > 0 ? DOWN : UP);
        mark(from.x, y + step, step > 0 ? UP : DOWN);
      }
    } else {
      const step = Math.sign(to.x - from.x);
      for (let x = from.x; x !== to.x; x += step) {
        mark(x, from.y, step > 0 ? RIGHT : LEFT);
        mark(x + step, from.y, step > 0 ? LEFT : RIGHT);
      }
    }
    if (to !== points[index]) points[index] = to;
  }
}

function outcomeStyle(outcome: StateOutcome | undefined): Style | undefined {
  switch (outcome) {
    case 'failed':
      return 'failed';
    case 'succeeded':
      return 'succeeded';
    case 'retried':
      return 'retried';
    case 'caught':
      return 'caught';
    case 'running':
      return 'running';
    case 'not-reached':
    case 'cancelled':
      return 'muted';
    default:
      return undefined;
  }
}

function paintRow(row: Cell[], colors: ChalkInstance | undefined): string {
  if (!colors || colors.level === 0) return row.map((cell) => cell.ch).join('');
  let text = '';
  let run = '';
  let runStyle: Style | undefined;
  const flush = () => {
    text += run ? paintStyle(colors, runStyle, run) : '';
    run = '';
  };
  for (const cell of row) {
    if (cell.style !== runStyle) {
      flush();
      runStyle = cell.style;
    }
    run += cell.ch;
  }
  flush();
  return text;
}

function paintStyle(colors: ChalkInstance, style: Style | undefined, text: string): string {
  switch (style) {
    case 'failed':
      return colors.red.bold(text);
    case 'succeeded':
      return colors.green(text);
    case 'retried':
      return colors.yellow(text);
    case 'caught':
      return colors.magenta(text);
    case 'running':
      return colors.cyan(text);
    case 'muted':
      return colors.dim(text);
    case 'accent':
      return colors.cyan(text);
    case 'label':
      return colors.blue(text);
    case 'uncovered':
      return colors.hex('#e8710a')(text);
    default:
      return text;
  }
}
