/**
 * Rows as aligned columns for a terminal: each column as wide as its widest cell, numbers and amounts
 * right-aligned so their digits line up. Cells are plain ASCII here (ids, states, amounts), so a
 * string's length is its width.
 */

export interface Column<R> {
  header: string;
  cell: (row: R) => string;
  align?: 'left' | 'right';
}

const GAP = '  ';

export function formatTable<R>(rows: readonly R[], columns: readonly Column<R>[]): string[] {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}
