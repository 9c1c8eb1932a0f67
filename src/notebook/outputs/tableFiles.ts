import { csvCell } from '../../core/io/csv';
import type { Table } from '../../protocol/notebookResult';

export function tableCsv(table: Table): string {
  return [table.columns, ...table.rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** One object per row, keyed by column. */
export function tableJson(table: Table): string {
  return (
    JSON.stringify(
      table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c, row[i] ?? null]))),
      null,
      2,
    ) + '\n'
  );
}
