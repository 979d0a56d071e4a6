import { paint } from './colors.js';
import { fitVisible, padVisible, visibleWidth } from './width.js';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: 'left' | 'right';
}

export interface TableOptions {
  /** The table's width on screen at most: the `shrink` column gives up columns, its cells cut with an ellipsis. */
  maxWidth?: number;
  /** Index of the column that gives way (a free-text one, such as a name). */
  shrink?: number;
}

const GAP = 2;
/** A shrinking column keeps at least this much, so that it still says something. */
const MIN_SHRUNK = 12;

/** A plain-text table: a bold header row, then one line per row, columns padded to fit. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: TableOptions = {}): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...cells.map((line) => visibleWidth(line[index] ?? ''))),
  );
  const { maxWidth, shrink } = options;
  if (maxWidth !== undefined && shrink !== undefined) {
    const total = widths.reduce((sum, width) => sum + width, 0) + GAP * (columns.length - 1);
    if (total > maxWidth) widths[shrink] = Math.max(MIN_SHRUNK, widths[shrink] - (total - maxWidth));
  }
  const pad = (text: string, index: number) => {
    const fitted = index === shrink && visibleWidth(text) > widths[index] ? fitVisible(text, widths[index]) : text;
    return padVisible(fitted, widths[index], columns[index].align);
  };
  const header = columns.map((column, index) => paint.strong(pad(column.header, index))).join(' '.repeat(GAP));
  const body = cells.map((line) => line.map((cell, index) => pad(cell, index)).join(' '.repeat(GAP)).trimEnd());
  return [header.trimEnd(), ...body].join('\n');
}
