import { anomalyScoreText } from '../core/vocabulary/outOfDistribution';
import type { ColormapName } from '../core/render/colormaps';
import type { AnomalyMapResult } from '../protocol/viewerMessages';
import { el, svg } from './dom';
import { colormapStrip } from './heatOverlay';

const two = (value: number): string => value.toFixed(2);

/**
 * The anomaly map's legend under the overlay controls: the colormap's bar
 * (drawn in the page, so it follows a colormap change at once), its fixed
 * scale (0, threshold at mid-colour, twice the threshold) and the slice's
 * score against the threshold.
 */
export class AnomalyLegend {
  readonly element = el('div', { class: 'legend', hidden: '' });
  private readonly bar = el('img', { class: 'legend-bar', alt: '' });
  private readonly scale = el('div', { class: 'legend-scale muted' });
  private readonly caption = el('div', { class: 'legend-caption' });
  private readonly histogram = el('div', { class: 'legend-histogram' });
  /** Score and threshold shown, while the legend is; the histogram's bars when there is one; on a volume, the slice whose score is the volume's. */
  shown: { score: number; threshold: number; bars?: number; volume?: AnomalyMapResult['volume'] } | undefined;

  constructor() {
    this.element.append(this.bar, this.scale, this.caption, this.histogram);
  }

  show(result: AnomalyMapResult, colormap: ColormapName): void {
    const { anomalyScore: score, anomalyThreshold: threshold, volume } = result;
    this.recolour(colormap);
    this.scale.replaceChildren(el('span', {}, '0'), el('span', {}, `threshold ${two(threshold)}`), el('span', {}, `≥ ${two(2 * threshold)}`));
    const whole = volume ? ` (volume: highest of ${volume.count} ${volume.axis} slices, at slice ${volume.slice})` : '';
    this.caption.textContent = `Anomaly map: ${anomalyScoreText(score, threshold)}${whole}`;
    this.element.classList.toggle('flagged', score >= threshold);
    this.element.hidden = false;
    const scored = volume ? 'this volume' : 'this slice';
    const bars = result.normalScores && result.normalScores.length > 1 ? this.drawHistogram(result.normalScores, threshold, score, scored) : 0;
    if (bars === 0) this.histogram.replaceChildren();
    this.shown = { score, threshold, ...(bars > 0 ? { bars } : {}), ...(volume ? { volume } : {}) };
  }

  /**
   * The detector's held-out normal scores as bars, the threshold as a dashed
   * line and this slice's (or volume's) score as a marker, on one axis wide enough for all
   * three: where it lies among the normal scans the threshold came from.
   */
  private drawHistogram(scores: readonly number[], threshold: number, score: number, scored: string): number {
    const [width, height, pad] = [220, 60, 4];
    const lo = Math.min(...scores, threshold, score);
    const hi = Math.max(...scores, threshold, score);
    const span = hi - lo || 1;
    const bins = Math.min(20, Math.max(5, Math.round(Math.sqrt(scores.length))));
    const counts = new Array<number>(bins).fill(0);
    for (const s of scores) counts[Math.min(bins - 1, Math.floor(((s - lo) / span) * bins))]!++;
    const top = Math.max(...counts);
    const x = (v: number): number => pad + ((v - lo) / span) * (width - 2 * pad);
    const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'score-histogram' });
    chart.append(svg('title', {}));
    chart.firstChild!.textContent = `${scores.length} held-out normal scores, threshold ${two(threshold)}, ${scored} ${two(score)}`;
    const step = (width - 2 * pad) / bins;
    counts.forEach((count, i) => {
      const h = (count / top) * (height - 2 * pad - 8);
      chart.append(svg('rect', { x: pad + i * step, y: height - pad - h, width: Math.max(1, step - 1), height: h, class: 'bar' }));
    });
    chart.append(svg('line', { x1: x(threshold), x2: x(threshold), y1: pad, y2: height - pad, class: 'threshold' }));
    chart.append(svg('path', { d: `M ${x(score) - 4} ${pad} L ${x(score) + 4} ${pad} L ${x(score)} ${pad + 7} Z`, class: 'score' }));
    this.histogram.replaceChildren(chart, el('div', { class: 'muted' }, `held-out normal scans (${scores.length}); ▼ ${scored}, ┆ threshold`));
    return bins;
  }

  /** The bar in another colormap, drawn in the page. */
  recolour(colormap: ColormapName): void {
    this.bar.src = colormapStrip(colormap);
  }

  hide(): void {
    this.element.hidden = true;
    this.histogram.replaceChildren();
    this.shown = undefined;
  }
}
