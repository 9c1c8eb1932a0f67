/** A figure for the `application/vnd.plotly.v1+json` mime type: plotly's own { data, layout }. */
export interface PlotlyFigure {
  readonly data: readonly Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
}

const layout = (title: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  title: { text: title },
  margin: { l: 60, r: 20, t: 40, b: 60 },
  ...extra,
});

/** Grouped bars: one group per class, one bar per file. */
export function probabilityBars(labels: readonly string[], rows: readonly { file: string; probabilities: readonly number[] }[]): PlotlyFigure {
  return {
    data: rows.map((r) => ({ type: 'bar', name: r.file, x: [...labels], y: [...r.probabilities] })),
    layout: layout('Class probabilities', { barmode: 'group', yaxis: { title: { text: 'probability' }, range: [0, 1] } }),
  };
}

/** Confusion matrix heatmap, true classes down, predicted across. */
export function confusionHeatmap(labels: readonly string[], confusion: readonly (readonly number[])[]): PlotlyFigure {
  return {
    data: [
      {
        type: 'heatmap',
        x: [...labels],
        y: [...labels],
        z: confusion.map((r) => [...r]),
        colorscale: 'Blues',
        texttemplate: '%{z}',
        hovertemplate: 'true %{y}<br>predicted %{x}: %{z}<extra></extra>',
      },
    ],
    layout: layout('Confusion matrix', { xaxis: { title: { text: 'predicted' } }, yaxis: { title: { text: 'true' }, autorange: 'reversed' } }),
  };
}

/** ROC curves with the chance diagonal (one class against the rest, unless the title says otherwise). */
export function rocChart(curves: readonly { label: string; fpr: readonly number[]; tpr: readonly number[]; auc: number | null }[], title = 'ROC, one class against the rest'): PlotlyFigure {
  return {
    data: [
      ...curves.filter((c) => c.auc !== null).map((c) => ({ type: 'scatter', mode: 'lines', name: `${c.label} (AUC ${c.auc!.toFixed(3)})`, x: [...c.fpr], y: [...c.tpr] })),
      { type: 'scatter', mode: 'lines', name: 'chance', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: 'grey' } },
    ],
    layout: layout(title, { xaxis: { title: { text: 'false-positive rate' }, range: [0, 1] }, yaxis: { title: { text: 'true-positive rate' }, range: [0, 1] } }),
  };
}

/** Precision–recall curves, one class against the rest, with each class's average precision. */
export function precisionRecallChart(curves: readonly { label: string; precision: readonly number[]; recall: readonly number[]; averagePrecision: number | null }[]): PlotlyFigure {
  return {
    data: curves
      .filter((c) => c.averagePrecision !== null)
      .map((c) => ({ type: 'scatter', mode: 'lines', line: { shape: 'hv' }, name: `${c.label} (AP ${c.averagePrecision!.toFixed(3)})`, x: [...c.recall], y: [...c.precision] })),
    layout: layout('Precision–recall, one class against the rest', { xaxis: { title: { text: 'recall' }, range: [0, 1] }, yaxis: { title: { text: 'precision' }, range: [0, 1.05] } }),
  };
}

/** A reliability diagram: accuracy against mean top probability per non-empty bin, with the diagonal of perfect calibration. */
export function reliabilityChart(bins: readonly { confidence: number; accuracy: number; count: number }[]): PlotlyFigure {
  const filled = bins.filter((b) => b.count > 0);
  return {
    data: [
      { type: 'scatter', mode: 'lines+markers', name: 'model', x: filled.map((b) => b.confidence), y: filled.map((b) => b.accuracy), text: filled.map((b) => `${b.count} scan(s)`) },
      { type: 'scatter', mode: 'lines', name: 'perfectly calibrated', x: [0, 1], y: [0, 1], line: { dash: 'dot', color: 'grey' } },
    ],
    layout: layout('Reliability', { xaxis: { title: { text: 'mean top probability' }, range: [0, 1] }, yaxis: { title: { text: 'accuracy' }, range: [0, 1] } }),
  };
}

/** Each volume's anomaly score along its slices, with the threshold as a dashed line. */
export function scoreProfile(volumes: readonly { name: string; scores: readonly number[] }[], axis: string, threshold: number): PlotlyFigure {
  const last = Math.max(0, ...volumes.map((v) => v.scores.length - 1));
  return {
    data: [
      ...volumes.map((v) => ({ type: 'scatter', mode: 'lines', name: v.name, x: v.scores.map((_, k) => k), y: [...v.scores] })),
      { type: 'scatter', mode: 'lines', name: `threshold ${threshold.toFixed(2)}`, x: [0, last], y: [threshold, threshold], line: { dash: 'dash', color: 'grey' } },
    ],
    layout: layout(`Anomaly score by ${axis} slice`, { xaxis: { title: { text: `${axis} slice` } }, yaxis: { title: { text: 'anomaly score' } } }),
  };
}

/** Per-class probability along the slices of a volume. */
export function sliceProfile(labels: readonly string[], slices: readonly { slice: number; probabilities: readonly number[] }[], axis: string): PlotlyFigure {
  return {
    data: labels.map((label, c) => ({ type: 'scatter', mode: 'lines', name: label, x: slices.map((s) => s.slice), y: slices.map((s) => s.probabilities[c]!) })),
    layout: layout(`Class probability by ${axis} slice`, { xaxis: { title: { text: `${axis} slice` } }, yaxis: { title: { text: 'probability' }, range: [0, 1] } }),
  };
}

/** Score counts of two groups over shared bins (numpy's edges), overlaid, with the threshold as a dashed vertical line. */
export function scoreHistogram(title: string, histogram: { edges: readonly number[]; groups: readonly { name: string; counts: readonly number[] }[] }, threshold: number): PlotlyFigure {
  const { edges } = histogram;
  const centres = edges.slice(0, -1).map((e, i) => (e + edges[i + 1]!) / 2);
  const widths = edges.slice(0, -1).map((e, i) => edges[i + 1]! - e);
  return {
    data: histogram.groups.map((g) => ({ type: 'bar', name: g.name, x: centres, y: [...g.counts], width: widths, opacity: 0.6 })),
    layout: layout(title, {
      barmode: 'overlay',
      xaxis: { title: { text: 'anomaly score' } },
      yaxis: { title: { text: 'scans' }, dtick: Math.max(1, Math.ceil(Math.max(...histogram.groups.flatMap((g) => g.counts)) / 5)) },
      shapes: [{ type: 'line', xref: 'x', yref: 'paper', x0: threshold, x1: threshold, y0: 0, y1: 1, line: { dash: 'dash', color: 'grey' } }],
      annotations: [{ x: threshold, xref: 'x', y: 1, yref: 'paper', text: `threshold ${threshold.toFixed(2)}`, showarrow: false, yanchor: 'bottom' }],
    }),
  };
}

/** Fine-tuning's curves by epoch (0: the probe it starts from): losses on the left axis, accuracies (dotted) on the right, the kept epoch marked. */
export function trainingCurves(history: readonly { epoch: number; trainLoss: number; trainAccuracy: number; validationLoss: number; validationAccuracy: number }[], kept?: number): PlotlyFigure {
  const x = history.map((r) => r.epoch);
  const line = (name: string, y: number[], accuracy: boolean): Record<string, unknown> => ({
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x,
    y,
    ...(accuracy ? { yaxis: 'y2', line: { dash: 'dot' } } : {}),
  });
  return {
    data: [
      line(
        'training loss',
        history.map((r) => r.trainLoss),
        false,
      ),
      line(
        'validation loss',
        history.map((r) => r.validationLoss),
        false,
      ),
      line(
        'training accuracy',
        history.map((r) => r.trainAccuracy),
        true,
      ),
      line(
        'validation accuracy',
        history.map((r) => r.validationAccuracy),
        true,
      ),
    ],
    layout: layout(kept === undefined ? 'Fine-tuning, so far' : kept === 0 ? 'Fine-tuning (no epoch beat the probe; kept epoch 0)' : `Fine-tuning (kept epoch ${kept})`, {
      xaxis: { title: { text: 'epoch' }, dtick: 1 },
      yaxis: { title: { text: 'class-balanced cross-entropy' } },
      yaxis2: { title: { text: 'accuracy' }, overlaying: 'y', side: 'right', range: [0, 1] },
      ...(kept === undefined ? {} : { shapes: [{ type: 'line', x0: kept, x1: kept, yref: 'paper', y0: 0, y1: 1, line: { dash: 'dash', width: 1 } }] }),
    }),
  };
}
