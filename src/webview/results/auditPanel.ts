import type { Audit, ResultsEntry } from '../../protocol/resultsMessages';
import { el, svg } from '../dom';

const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const fixed = (value: number | null, digits = 3): string => (value === null ? '–' : value.toFixed(digits));

/** Precision, recall, ROC AUC and support per class, as `scanlens evaluate` lists them. */
function perClassTable(audit: Audit): HTMLTableElement {
  const head = el('tr', {}, ...['class', 'precision', 'recall', 'AUC', 'AP', 'n'].map((h) => el('th', {}, h)));
  const rows = audit.perClass.map((c) =>
    el(
      'tr',
      {},
      el('td', {}, c.label),
      el('td', {}, percent(c.precision)),
      el('td', {}, percent(c.recall)),
      el('td', {}, fixed(c.auc)),
      el('td', {}, fixed(c.averagePrecision)),
      el('td', {}, String(c.support)),
    ),
  );
  return el('table', { class: 'metrics' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/** The confusion matrix, rows true and columns predicted; a cell is a button that filters the grid to its rows. */
function confusionTable(labels: readonly string[], audit: Audit, onCell: (truth: string, predicted: string) => void): HTMLTableElement {
  const max = Math.max(1, ...audit.confusion.flat());
  const head = el('tr', {}, el('th', { class: 'corner' }, 'true \\ predicted'), ...labels.map((l) => el('th', { scope: 'col' }, l)));
  const rows = labels.map((truth, t) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, truth),
      ...labels.map((predicted, p) => {
        const count = audit.confusion[t]?.[p] ?? 0;
        const cell = el(
          'button',
          { class: `cell shade-${Math.round((count / max) * 4)}${t === p ? ' diagonal' : ''}`, title: `${count} ${truth} scans predicted ${predicted}: show them` },
          String(count),
        );
        cell.addEventListener('click', () => onCell(truth, predicted));
        return el('td', {}, cell);
      }),
    ),
  );
  return el('table', { class: 'confusion', 'aria-label': 'Confusion matrix' }, el('thead', {}, head), el('tbody', {}, ...rows));
}

/** Reliability diagram: each bin's accuracy against its confidence, the diagonal being perfect calibration. */
function reliabilityDiagram(audit: Audit): SVGSVGElement {
  const size = 200;
  const pad = 24;
  const span = size - 2 * pad;
  const x = (v: number): number => pad + v * span;
  const y = (v: number): number => size - pad - v * span;
  const chart = svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', class: 'reliability' });
  chart.append(svg('title', {}));
  chart.firstChild!.textContent = `Reliability diagram, ECE ${audit.calibration.ece.toFixed(4)}`;
  chart.append(svg('rect', { x: pad, y: pad, width: span, height: span, class: 'frame' }));
  for (const bin of audit.calibration.bins) {
    if (bin.count === 0) continue;
    chart.append(svg('rect', { x: x(bin.low), y: y(bin.accuracy), width: Math.max(1, x(bin.high) - x(bin.low) - 1), height: y(0) - y(bin.accuracy), class: 'bar' }));
    chart.append(
      svg('rect', {
        x: x(bin.low),
        y: Math.min(y(bin.accuracy), y(bin.confidence)),
        width: Math.max(1, x(bin.high) - x(bin.low) - 1),
        height: Math.abs(y(bin.accuracy) - y(bin.confidence)),
        class: 'gap',
      }),
    );
  }
  chart.append(svg('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: 'diagonal' }));
  const label = (text: string, attributes: Record<string, string | number>): void => {
    const t = svg('text', attributes);
    t.textContent = text;
    chart.append(t);
  };
  label('confidence', { x: size / 2, y: size - 6, 'text-anchor': 'middle' });
  label('accuracy', { x: 10, y: size / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${size / 2})` });
  return chart;
}

/** Theme chart colours, one per class in turn. */
const CLASS_COLOURS = ['blue', 'red', 'green', 'yellow', 'orange', 'purple'];

/** One curve per class on the unit square, named with its figure; null figures (a class with no scan) are not drawn. */
interface UnitCurves {
  readonly title: string;
  readonly x: string;
  readonly y: string;
  /** Chance's diagonal, from (0,0) to (1,1), for ROC. */
  readonly diagonal: boolean;
  readonly curves: readonly { readonly label: string; readonly x: readonly number[]; readonly y: readonly number[]; readonly figure: string | null }[];
}

/** Curves on the unit square as SVG with a legend: the ROC and precision–recall charts. */
function unitCurvesChart({ title, x, y, diagonal, curves }: UnitCurves): HTMLElement {
  const size = 200;
  const pad = 24;
  const span = size - 2 * pad;
  const chart = svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img', class: 'roc' });
  chart.append(svg('title', {}));
  chart.firstChild!.textContent = `${title}: ${curves.map((c) => `${c.label} ${c.figure ?? 'undefined'}`).join(', ')}`;
  chart.append(svg('rect', { x: pad, y: pad, width: span, height: span, class: 'frame' }));
  if (diagonal) chart.append(svg('line', { x1: pad, y1: size - pad, x2: size - pad, y2: pad, class: 'diagonal' }));
  curves.forEach((curve, c) => {
    if (curve.figure === null) return;
    const points = curve.x.map((v, i) => `${(pad + v * span).toFixed(1)},${(size - pad - curve.y[i]! * span).toFixed(1)}`).join(' ');
    chart.append(svg('polyline', { points, class: `curve colour-${CLASS_COLOURS[c % CLASS_COLOURS.length]}` }));
  });
  for (const [text, attributes] of [
    [x, { x: size / 2, y: size - 6, 'text-anchor': 'middle' }],
    [y, { x: 10, y: size / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${size / 2})` }],
  ] as const) {
    const label = svg('text', attributes);
    label.textContent = text;
    chart.append(label);
  }
  const legend = el(
    'ul',
    { class: 'legend' },
    ...curves.map((c, i) => el('li', {}, el('span', { class: `swatch colour-${CLASS_COLOURS[i % CLASS_COLOURS.length]}` }), ` ${c.label} ${c.figure ?? '–'}`)),
  );
  return el('div', { class: 'roc-block' }, chart, legend);
}

/** One-against-the-rest ROC curve per class over the diagonal of chance, with each class's AUC in the legend. */
function rocChart(audit: Audit): HTMLElement {
  return unitCurvesChart({
    title: 'ROC curves',
    x: 'false positive rate',
    y: 'true positive rate',
    diagonal: true,
    curves: audit.roc.map((r) => ({ label: r.label, x: r.fpr, y: r.tpr, figure: r.auc === null ? null : `AUC ${r.auc.toFixed(3)}` })),
  });
}

/** One-against-the-rest precision–recall curve per class, with each class's average precision in the legend. */
function precisionRecallChart(audit: Audit): HTMLElement {
  return unitCurvesChart({
    title: 'Precision–recall curves',
    x: 'recall',
    y: 'precision',
    diagonal: false,
    curves: audit.precisionRecall.map((c) => ({ label: c.label, x: c.recall, y: c.precision, figure: c.averagePrecision === null ? null : `AP ${c.averagePrecision.toFixed(3)}` })),
  });
}

export interface AuditCallbacks {
  readonly onCell: (truth: string, predicted: string) => void;
  /** A gallery tile for entry `index`: its thumbnail, which opens the scan. */
  readonly tile: (index: number) => HTMLElement;
}

/** The audit of a labelled folder: the numbers, the charts and the two galleries. */
export function auditPanel(labels: readonly string[], audit: Audit, entries: readonly ResultsEntry[], galleries: { wrong: number[]; uncertain: number[] }, callbacks: AuditCallbacks): HTMLElement {
  const gallery = (title: string, indices: number[], empty: string): HTMLElement =>
    el('section', {}, el('h2', {}, title), indices.length === 0 ? el('p', { class: 'muted' }, empty) : el('div', { class: 'gallery' }, ...indices.map(callbacks.tile)));
  const notes = [
    `${audit.evaluated} labelled scans scored (from ${audit.source})`,
    ...(audit.failed > 0 ? [`${audit.failed} failed`] : []),
    ...(audit.unlabelled > 0 ? [`${audit.unlabelled} without a label`] : []),
  ];
  return el(
    'div',
    { class: 'audit' },
    el('h2', {}, 'Audit against labels'),
    el(
      'p',
      { class: 'headline' },
      el('strong', { class: 'accuracy' }, `Accuracy ${percent(audit.accuracy)}`),
      ` · ECE ${audit.calibration.ece.toFixed(4)} · Brier ${audit.calibration.brier.toFixed(4)}`,
    ),
    el('p', { class: 'muted' }, notes.join(', ')),
    perClassTable(audit),
    el('h2', {}, 'Confusion matrix'),
    confusionTable(labels, audit, callbacks.onCell),
    el('h2', {}, 'ROC, one class against the rest'),
    rocChart(audit),
    el('h2', {}, 'Precision–recall, one class against the rest'),
    precisionRecallChart(audit),
    el('h2', {}, 'Reliability'),
    reliabilityDiagram(audit),
    gallery('Confidently wrong', galleries.wrong, 'No labelled scan was misclassified.'),
    gallery('Most uncertain', galleries.uncertain, entries.length === 0 ? 'No rows.' : 'No classified scan.'),
  );
}
