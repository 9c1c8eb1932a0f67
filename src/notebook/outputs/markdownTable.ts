import type { Table } from '../../protocol/notebookResult';

/** Numbers shown with 4 decimals in tables; the +json payload keeps full precision. */
export function formatCell(value: string | number | null): string {
  if (value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  return value;
}

function escape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured markdown table; numeric columns right-aligned. */
export function markdownTable(table: Table): string {
  const numeric = table.columns.map((_, c) => table.rows.length > 0 && table.rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const head = `| ${table.columns.map(escape).join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = table.rows.map((row) => `| ${row.map((v) => escape(formatCell(v))).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

/** The same table as aligned plain text, for viewers without markdown. */
export function plainTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((r) => r.map(formatCell))];
  const widths = table.columns.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  return cells
    .map((r) =>
      r
        .map((v, c) => v.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
