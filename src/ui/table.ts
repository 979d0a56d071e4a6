import { paint } from './colors.js';
import { padVisible, visibleWidth } from './width.js';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  align?: 'left' | 'right';
}

/** A plain-text table: a bold header row, then one line per row, columns padded to fit. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) =>
    Math.max(visibleWidth(column.header), ...cells.map((line) => visibleWidth(line[index] ?? ''))),
  );
  const pad = (text: string, index: number) => padVisible(text, widths[index], columns[index].align);
  const header = columns.map((column, index) => paint.strong(pad(column.header, index))).join('  ');
  const body = cells.map((line) => line.map((cell, index) => pad(cell, index)).join('  ').trimEnd());
  return [header.trimEnd(), ...body].join('\n');
}
