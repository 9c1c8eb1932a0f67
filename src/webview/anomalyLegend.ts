import { anomalyScoreText } from '../core/vocabulary/outOfDistribution';
import type { ColormapName } from '../core/render/colormaps';
import type { AnomalyMapResult } from '../protocol/viewerMessages';
import { el } from './dom';
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
  /** Score and threshold shown, while the legend is. */
  shown: { score: number; threshold: number } | undefined;

  constructor() {
    this.element.append(this.bar, this.scale, this.caption);
  }

  show(result: AnomalyMapResult, colormap: ColormapName): void {
    const { anomalyScore: score, anomalyThreshold: threshold } = result;
    this.recolour(colormap);
    this.scale.replaceChildren(el('span', {}, '0'), el('span', {}, `threshold ${two(threshold)}`), el('span', {}, `≥ ${two(2 * threshold)}`));
    this.caption.textContent = `Anomaly map: ${anomalyScoreText(score, threshold)}`;
    this.element.classList.toggle('flagged', score >= threshold);
    this.element.hidden = false;
    this.shown = { score, threshold };
  }

  /** The bar in another colormap, drawn in the page. */
  recolour(colormap: ColormapName): void {
    this.bar.src = colormapStrip(colormap);
  }

  hide(): void {
    this.element.hidden = true;
    this.shown = undefined;
  }
}
