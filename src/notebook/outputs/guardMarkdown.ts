import { markdownText } from '../../core/text/escape';
import { OUT_OF_DISTRIBUTION_TITLE, warningFor, type GuardFields } from '../../core/vocabulary/outOfDistribution';

/**
 * The flagged files as a markdown quote, each with the full warning, for
 * viewers without ScanLens' renderer (Jupyter, GitHub) to put above the
 * table, as the renderer does; empty when nothing was flagged.
 */
export function outOfDistributionMarkdown(rows: readonly (GuardFields & { readonly file: string })[]): string {
  const flagged = rows.flatMap((row) => {
    const warning = warningFor(row);
    return warning ? [`> - ${markdownText(row.file)}: ${warning}`] : [];
  });
  if (flagged.length === 0) return '';
  return [`> ⚠️ **${OUT_OF_DISTRIBUTION_TITLE}: ${flagged.length} of ${rows.length} file(s)**`, '>', ...flagged, '', ''].join('\n');
}
