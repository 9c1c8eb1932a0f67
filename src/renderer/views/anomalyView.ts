import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout, rocLayout, themeColor } from '../theme';
import { sliceText } from '../../core/vocabulary/axes';

type Anomaly = Extract<NotebookResult, { kind: 'anomaly' }>;
type Row = Extract<Anomaly, { subcommand: 'score' }>['rows'][number];

const fixed = (v: number): string => v.toFixed(4);

function detectorTitle(result: Anomaly): string {
  const { detector } = result;
  return `${detector.path ?? 'detector fitted in this notebook'} (${detector.method}, threshold ${fixed(detector.threshold)})`;
}

/** The file, and for a volume the slice scored: `brain.nii.gz · axial slice 68 of 136`. */
const fileCell = (r: Row): string => ('score' in r && r.slice?.axis ? `${r.file} · ${sliceText(r.slice)}` : r.file);

/** Scores with their verdicts; anomalous rows marked as flagged rows are elsewhere, error rows keep their message. */
function scoreTable(rows: readonly (Row & { set?: string })[], withSet: boolean): HTMLTableElement {
  const cells = rows.map((r) => [
    ...(withSet ? [r.set ?? ''] : []),
    fileCell(r),
    ...('error' in r ? ['—', '—', `error: ${r.error}`] : [fixed(r.score), fixed(r.threshold), r.label === 'anomalous' ? '⚠ anomalous' : 'normal']),
  ]);
  const element = table([...(withSet ? ['set'] : []), 'file', 'score', 'threshold', 'verdict'], cells);
  rows.forEach((r, i) => {
    const tr = element.tBodies[0]?.rows[i];
    if ('error' in r) tr?.classList.add('sl-error');
    else if (r.label === 'anomalous') tr?.classList.add('sl-ood');
  });
  return element;
}

/** numpy-style bins over the scores (the last bin includes its upper edge), counted per verdict. */
function verdictBins(scores: readonly { score: number; anomalous: boolean }[], bins = 10): { edges: number[]; normal: number[]; anomalous: number[] } {
  let lo = Math.min(...scores.map((s) => s.score));
  let hi = Math.max(...scores.map((s) => s.score));
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
  const normal = new Array<number>(bins).fill(0);
  const anomalous = new Array<number>(bins).fill(0);
  for (const s of scores) {
    let bin = Math.min(bins - 1, Math.floor(((s.score - lo) / (hi - lo)) * bins));
    if (s.score < edges[bin]!) bin--;
    else if (bin < bins - 1 && s.score >= edges[bin + 1]!) bin++;
    (s.anomalous ? anomalous : normal)[bin]!++;
  }
  return { edges, normal, anomalous };
}

/** Normal and anomalous counts over the bins, overlaid, the threshold a dashed line. */
function drawHistogram(
  chart: HTMLElement,
  root: HTMLElement,
  histogram: { edges: readonly number[]; normal: readonly number[]; anomalous: readonly number[] },
  threshold: number,
): Promise<HTMLElement> {
  const { edges } = histogram;
  const x = edges.slice(0, -1).map((e, i) => (e + edges[i + 1]!) / 2);
  const width = edges.slice(0, -1).map((e, i) => edges[i + 1]! - e);
  const warn = themeColor(root, 'editorWarning-foreground', '#cca700');
  const traces = [
    { type: 'bar', name: 'normal', x, y: [...histogram.normal], width, opacity: 0.65, marker: { color: accent(root) } },
    { type: 'bar', name: 'anomalous', x, y: [...histogram.anomalous], width, opacity: 0.65, marker: { color: warn } },
  ];
  const layout = plotLayout(root, {
    barmode: 'overlay',
    legend: { orientation: 'h', y: -0.25 },
    xaxis: { title: { text: 'anomaly score' } },
    // Counts: whole-number ticks however few scans there are.
    yaxis: { title: { text: 'scans' }, dtick: Math.max(1, Math.ceil(Math.max(...histogram.normal, ...histogram.anomalous) / 5)) },
    shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: threshold, x1: threshold, y0: 0, y1: 1, line: { dash: 'dash', color: themeColor(root, 'foreground', '#444') } }],
    annotations: [{ x: threshold, xref: 'x', y: 1, yref: 'paper', text: `threshold ${threshold.toFixed(2)}`, showarrow: false, yanchor: 'bottom' }],
  });
  return Plotly.react(chart, traces, layout, PLOT_CONFIG);
}

function scoreView(result: Extract<Anomaly, { subcommand: 'score' }>, root: HTMLElement): Promise<unknown> {
  const scored = result.rows.flatMap((r) => ('error' in r ? [] : [{ score: r.score, anomalous: r.label === 'anomalous' }]));
  const flagged = scored.filter((s) => s.anomalous).length;
  const failed = result.rows.length - scored.length;
  root.append(
    h('div', { class: 'sl-title' }, `anomaly score: ${flagged} of ${scored.length} scan(s) anomalous${failed ? `, ${failed} failed` : ''}`),
    h('div', { class: 'sl-note' }, `against ${detectorTitle(result)}`),
    scoreTable(result.rows, false),
  );
  if (scored.length < 2) return Promise.resolve();
  const chart = h('div', { class: 'sl-chart' });
  root.append(chart);
  return drawHistogram(chart, root, verdictBins(scored), result.detector.threshold);
}

async function evalView(result: Extract<Anomaly, { subcommand: 'eval' }>, root: HTMLElement): Promise<void> {
  const { metrics, roc, threshold } = result;
  const failed = [...result.normal, ...result.anomalous].filter((r) => 'error' in r).length;
  const histogram = h('div', { class: 'sl-chart' });
  const curve = h('div', { class: 'sl-chart' });
  root.append(
    h('div', { class: 'sl-title' }, `anomaly eval: AUROC ${fixed(metrics.auroc)} on ${metrics.normal} normal and ${metrics.anomalous} anomalous scans${failed ? `, ${failed} failed` : ''}`),
    h('div', { class: 'sl-note' }, `against ${detectorTitle(result)}`),
    table(
      ['metric', 'value'],
      [
        ['AUROC', fixed(metrics.auroc)],
        ['AUPR', fixed(metrics.aupr)],
        [`F1 at threshold ${fixed(threshold)}`, `${fixed(metrics.atThreshold.f1)} (precision ${fixed(metrics.atThreshold.precision)}, recall ${fixed(metrics.atThreshold.recall)})`],
        ['best F1', `${fixed(metrics.bestF1.f1)} at threshold ${fixed(metrics.bestF1.threshold)}`],
      ],
    ),
    histogram,
    curve,
    scoreTable([...result.normal.map((r) => ({ ...r, set: 'normal' })), ...result.anomalous.map((r) => ({ ...r, set: 'anomalous' }))], true),
  );
  await drawHistogram(histogram, root, metrics.histogram, threshold);
  const traces = [
    { type: 'scatter', mode: 'lines', x: [0, 1], y: [0, 1], line: { dash: 'dot', width: 1 }, hoverinfo: 'skip', showlegend: false },
    { type: 'scatter', mode: 'lines', x: [...roc.fpr], y: [...roc.tpr], line: { color: accent(root) }, name: `anomalous against normal (AUROC ${metrics.auroc.toFixed(3)})` },
  ];
  await Plotly.react(curve, traces, rocLayout(root), PLOT_CONFIG);
}

/** Normal scans added: the counts before and after, the threshold set again, and the new held-out scores. */
function addView(result: Extract<Anomaly, { subcommand: 'add' }>, root: HTMLElement): Promise<unknown> {
  root.append(
    h('div', { class: 'sl-title' }, `anomaly add: ${result.added} normal scan(s) folded into ${detectorTitle(result)}`),
    h('div', { class: 'sl-note' }, result.written ? 'stored' : 'not stored (run --check)'),
    table(
      ['measure', 'value'],
      [
        ['scans fitted', `${result.previous.images} → ${result.images}`],
        ['threshold', `${fixed(result.previous.threshold)} → ${fixed(result.detector.threshold)}`],
        ...result.rows.map((r) => [`failed: ${r.file}`, r.error]),
      ],
    ),
  );
  if (result.calibrationScores.length < 2) return Promise.resolve();
  const chart = h('div', { class: 'sl-chart' });
  root.append(chart);
  return drawHistogram(chart, root, verdictBins(result.calibrationScores.map((score) => ({ score, anomalous: false }))), result.detector.threshold);
}

/** The threshold chosen again: the rule, what it gives on the scans it was chosen on, and both sets' scores against it. */
function thresholdView(result: Extract<Anomaly, { subcommand: 'threshold' }>, root: HTMLElement): Promise<unknown> {
  const { chosen } = result;
  const scored = [
    ...result.normal.flatMap((r) => ('error' in r ? [] : [{ score: r.score, anomalous: false }])),
    ...result.anomalous.flatMap((r) => ('error' in r ? [] : [{ score: r.score, anomalous: true }])),
  ];
  const rule =
    chosen.rule === 'fpr' ? `at most ${fixed((chosen.fpr ?? 0) * 100)} % of ${chosen.normal} normal scans flagged` : `best F1 on ${chosen.normal} normal and ${chosen.anomalous} anomalous scans`;
  root.append(
    h('div', { class: 'sl-title' }, `anomaly threshold: ${fixed(result.previous)} → ${fixed(result.detector.threshold)}`),
    h('div', { class: 'sl-note' }, `${rule}; ${result.written ? 'stored in' : 'not stored (run --check):'} ${detectorTitle(result)}`),
    table(
      ['measure', 'value'],
      [
        ['normal scans flagged', `${fixed(chosen.falsePositiveRate * 100)} %`],
        ...(chosen.recall !== undefined ? [['anomalous scans flagged', `${fixed(chosen.recall * 100)} %`]] : []),
        ...(chosen.f1 !== undefined ? [['F1', fixed(chosen.f1)]] : []),
      ],
    ),
  );
  if (scored.length < 2) return Promise.resolve();
  const chart = h('div', { class: 'sl-chart' });
  root.append(chart);
  return drawHistogram(chart, root, verdictBins(scored), result.detector.threshold);
}

function fitView(result: Extract<Anomaly, { subcommand: 'fit' }>, root: HTMLElement): void {
  const scores = result.calibrationScores;
  root.append(
    h('div', { class: 'sl-title' }, `anomaly fit: ${result.detector.method} on ${result.training.images} normal scans from ${result.source}`),
    h('div', { class: 'sl-note' }, result.detector.path === null ? 'kept for this notebook (not saved)' : `saved as ${result.detector.path}`),
    table(
      ['field', 'value'],
      [
        ['backbone', `${result.backbone.name} (${result.backbone.sha256.slice(0, 12)}…)`],
        ['features', `${result.features.channels} channels of ${result.features.layers.join(' + ')}, ${result.features.grid.width}×${result.features.grid.height} grid`],
        ['map smoothing', `sigma ${result.sigma}`],
        ['threshold', `${fixed(result.threshold.value)} = p${result.threshold.percentile} of ${scores.length} held-out normal scores (${fixed(Math.min(...scores))}…${fixed(Math.max(...scores))})`],
        ...result.rows.map((r) => [`failed: ${r.file}`, r.error]),
      ],
    ),
  );
}

/** anomaly fit: the detector; score: scores with verdicts and their histogram; eval: metrics, histogram of both sets, ROC curve, scores. */
export async function anomalyView(result: Anomaly, root: HTMLElement): Promise<void> {
  root.dataset['subcommand'] = result.subcommand;
  switch (result.subcommand) {
    case 'fit':
      return fitView(result, root);
    case 'score':
      await scoreView(result, root);
      return;
    case 'eval':
      return evalView(result, root);
    case 'threshold':
      await thresholdView(result, root);
      return;
    case 'add':
      await addView(result, root);
      return;
  }
}
