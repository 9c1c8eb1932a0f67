import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { classProbabilities, commonestTop, percent } from '../chartData';
import { classSwitch, h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout } from '../theme';

type Classify = Extract<NotebookResult, { kind: 'classify' }>;

/** Probability table (top class marked, error rows named) and a bar chart of one class across files, switchable. */
export async function classifyView(result: Classify, root: HTMLElement): Promise<void> {
  const columns = ['file', ...result.labels, 'top'];
  const rows = result.rows.map((r) => ('error' in r ? [r.file, ...result.labels.map(() => ''), `error: ${r.error}`] : [r.file, ...r.probabilities.map(percent), r.top.label]));
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
  root.append(
    h('div', { class: 'sl-title' }, `classify: ${result.rows.length} file(s)`),
    table(columns, rows, (row, column) => column === topColumn(row)),
    h('div', { class: 'sl-controls' }, classSwitch(result.labels, first, (i) => void draw(i))),
    chart,
  );
  await draw(first);
}
