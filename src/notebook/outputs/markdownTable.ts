import { markdownText, terminalText } from '../../core/text/escape';
import type { Table } from '../../protocol/notebookResult';

/** Numbers shown with 4 decimals in tables; the +json payload keeps full precision. */
export function formatCell(value: string | number | null): string {
  if (value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  return value;
}

/** A GitHub-flavoured markdown table; numeric columns right-aligned; every cell through markdownText, so a name or label shows as typed and cannot add markup, HTML or a row. */
export function markdownTable(table: Table): string {
  const numeric = table.columns.map((_, c) => table.rows.length > 0 && table.rows.every((r) => typeof r[c] === 'number' || r[c] === null));
  const head = `| ${table.columns.map(markdownText).join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = table.rows.map((row) => `| ${row.map((v) => markdownText(formatCell(v))).join(' | ')} |`);
  return [head, rule, ...body].join('\n') + '\n';
}

/** The same table as aligned plain text, for viewers without markdown; cells through terminalText, so a cell stays on its line. */
export function plainTable(table: Table): string {
  const cells = [table.columns, ...table.rows.map((r) => r.map(formatCell))].map((r) => r.map(terminalText));
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
