import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { OUT_OF_DISTRIBUTION_TITLE, checkCellText, warningFor } from '../../core/vocabulary/outOfDistribution';
import { classProbabilities, commonestTop, percent } from '../chartData';
import { classSwitch, h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout } from '../theme';

type Classify = Extract<NotebookResult, { kind: 'classify' }>;
type Row = Classify['rows'][number];

/** A volume's verdict is its top peak slice's. */
const warningOf = (row: Row | undefined): string | undefined => (!row || 'error' in row ? undefined : warningFor('peaks' in row ? row.top : row));

/** One table row: an image's probabilities, a volume's peak probability and slice per class, or the error. */
function cells(labels: readonly string[], r: Row): string[] {
  if ('error' in r) return [r.file, ...labels.map(() => ''), `error: ${r.error}`];
  if ('peaks' in r) return [`${r.file} (${r.kind}, ${r.slices} ${r.axis} slices)`, ...r.peaks.map((p) => `${percent(p.probability)} @${p.slice}`), r.top.label];
  return [r.file, ...r.probabilities.map(percent), r.top.label];
}

/** The flagged files above the table, each with the warning, so nobody reads their probabilities first. */
function outOfDistributionBox(result: Classify): HTMLElement[] {
  const flagged = result.rows.flatMap((r) => {
    const warning = warningOf(r);
    return warning ? [h('li', {}, h('span', { class: 'sl-file' }, r.file), `: ${warning}`)] : [];
  });
  if (flagged.length === 0) return [];
  return [h('div', { class: 'sl-warning', role: 'alert' }, h('strong', {}, `⚠ ${OUT_OF_DISTRIBUTION_TITLE}: ${flagged.length} of ${result.rows.length} file(s)`), h('ul', {}, ...flagged))];
}

/**
 * Probability table (top class marked, error rows named, a volume's or
 * series' peaks in its row, flagged rows marked and an anomaly column for a
 * guarded model) and a bar chart of one class across image files, switchable.
 */
export async function classifyView(result: Classify, root: HTMLElement, openResults?: () => void): Promise<void> {
  const verdict = (r: Row): Parameters<typeof checkCellText>[0] => ('error' in r ? {} : 'peaks' in r ? r.top : r);
  const guarded = result.rows.some((r) => verdict(r).anomalyScore !== undefined);
  const anomalyCell = (r: Row): string[] => (guarded ? [checkCellText(verdict(r))] : []);
  const setOf = (r: Row): string | undefined => ('predictionSet' in r && r.predictionSet ? r.predictionSet.join(', ') : undefined);
  const conformal = result.rows.some((r) => setOf(r) !== undefined);
  const setCell = (r: Row): string[] => (conformal ? [setOf(r) ?? ''] : []);
  const columns = ['file', ...result.labels, 'top', ...(conformal ? ['prediction set'] : []), ...(guarded ? ['out-of-distribution check'] : [])];
  const rows = result.rows.map((r) => [...cells(result.labels, r), ...setCell(r), ...anomalyCell(r)]);
  const topColumn = (row: number): number => {
    const r = result.rows[row];
    return r && 'top' in r ? 1 + result.labels.indexOf(r.top.label) : -1;
  };
  const chart = h('div', { class: 'sl-chart' });
  const draw = (classIndex: number): Promise<HTMLElement> => {
    const series = classProbabilities(result, classIndex);
    const layout = plotLayout(root, { yaxis: { range: [0, 1], tickformat: '.0%', title: { text: `P(${result.labels[classIndex] ?? ''})` } } });
    return Plotly.react(chart, [{ type: 'bar', x: series.x, y: series.y, marker: { color: accent(root) }, hovertemplate: '%{x}: %{y:.1%}<extra></extra>' }], layout, PLOT_CONFIG);
  };
  const first = commonestTop(result);
  const probabilities = table(columns, rows, (row, column) => column === topColumn(row));
  result.rows.forEach((r, i) => {
    if (warningOf(r)) probabilities.tBodies[0]?.rows[i]?.classList.add('sl-ood');
  });
  // Where the host listens (VS Code with ScanLens), the rows can be browsed as a grid with their thumbnails.
  const open = openResults ? [h('button', { class: 'sl-open-results', title: 'Browse these rows as thumbnails, sort and filter them, open a scan in the viewer' }, 'Open in Results View')] : [];
  open[0]?.addEventListener('click', () => openResults!());
  root.append(
    h('div', { class: 'sl-title' }, `classify: ${result.rows.length} file(s)`, ...open),
    ...outOfDistributionBox(result),
    probabilities,
    h(
      'div',
      { class: 'sl-controls' },
      classSwitch(result.labels, first, (i) => void draw(i)),
    ),
    chart,
  );
  await draw(first);
}
