import type { Table } from '../../protocol/notebookResult';

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // RFC 4180 quoting; a leading formula character is neutralised for spreadsheets.
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

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
