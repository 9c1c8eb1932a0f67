import { OUT_OF_DISTRIBUTION_TITLE, warningFor, type GuardFields } from '../../core/vocabulary/outOfDistribution';

/** A file name as inline code, fenced by more backticks than it contains so any name shows verbatim; on one line, or it would leave the quote. */
function codeSpan(name: string): string {
  const text = name.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * The flagged files as a markdown quote, each with the full warning, for
 * viewers without ScanLens' renderer (Jupyter, GitHub) to put above the
 * table, as the renderer does; empty when nothing was flagged.
 */
export function outOfDistributionMarkdown(rows: readonly (GuardFields & { readonly file: string })[]): string {
  const flagged = rows.flatMap((row) => {
    const warning = warningFor(row);
    return warning ? [`> - ${codeSpan(row.file)}: ${warning}`] : [];
  });
  if (flagged.length === 0) return '';
  return [`> ⚠️ **${OUT_OF_DISTRIBUTION_TITLE}: ${flagged.length} of ${rows.length} file(s)**`, '>', ...flagged, '', ''].join('\n');
}
