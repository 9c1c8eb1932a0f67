import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { confusionFractions } from '../chartData';
import { classSwitch, h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout, rocLayout } from '../theme';

type Evaluate = Extract<NotebookResult, { kind: 'evaluate' }>;

const fixed = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

/** Metrics table, confusion matrix (counts, coloured by row fraction) and one class's ROC curve, switchable. */
export async function evaluateView(result: Evaluate, root: HTMLElement): Promise<void> {
  const confusion = h('div', { class: 'sl-chart' });
  const roc = h('div', { class: 'sl-chart' });
  const drawRoc = (classIndex: number): Promise<HTMLElement> => {
    const curve = result.roc[classIndex];
    const auc = result.perClass[classIndex]?.auc ?? null;
    const traces = [
      { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], line: { dash: 'dot', width: 1 }, hoverinfo: 'skip', showlegend: false },
      { type: 'scatter', mode: 'lines', x: curve?.fpr ?? [], y: curve?.tpr ?? [], line: { color: accent(root), shape: 'hv' }, name: `${curve?.label ?? ''} (AUC ${fixed(auc)})` },
    ];
    return Plotly.react(roc, traces, rocLayout(root), PLOT_CONFIG);
  };
  root.append(
    h('div', { class: 'sl-title' }, `evaluate ${result.source}: accuracy ${(result.accuracy * 100).toFixed(1)}% over ${result.files} file(s)${result.failed ? `, ${result.failed} failed` : ''}`),
    table(
      ['class', 'precision', 'recall', 'support', 'ROC AUC'],
      result.perClass.map((c) => [c.label, fixed(c.precision), fixed(c.recall), String(c.support), fixed(c.auc)]),
    ),
    ...(result.calibration
      ? [
          h(
            'div',
            {},
            `calibration: ECE ${result.calibration.ece.toFixed(4)}, MCE ${result.calibration.mce.toFixed(4)}, Brier ${result.calibration.brier.toFixed(4)}, NLL ${result.calibration.nll.toFixed(4)}`,
          ),
        ]
      : []),
    confusion,
    h(
      'div',
      { class: 'sl-controls' },
      classSwitch(result.labels, 0, (i) => void drawRoc(i)),
    ),
    roc,
  );
  const heatmap = {
    type: 'heatmap',
    z: confusionFractions(result),
    x: result.labels,
    y: result.labels,
    text: result.confusion,
    texttemplate: '%{text}',
    colorscale: [
      [0, 'rgba(0,0,0,0)'],
      [1, accent(root)],
    ],
    zmin: 0,
    zmax: 1,
    showscale: false,
    hovertemplate: 'true %{y}, predicted %{x}: %{text}<extra></extra>',
  };
  await Plotly.react(confusion, [heatmap], plotLayout(root, { width: 420, xaxis: { title: { text: 'predicted' } }, yaxis: { title: { text: 'true' }, autorange: 'reversed' } }), PLOT_CONFIG);
  await drawRoc(0);
}
