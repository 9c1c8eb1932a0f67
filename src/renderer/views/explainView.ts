import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { overlayGrid, percent } from '../chartData';
import { h, table } from '../dom';
import { PLOT_CONFIG, plotLayout } from '../theme';

type Explain = Extract<NotebookResult, { kind: 'explain' }>;

/**
 * The class-activation map (smoothed, min-max normalised) over the scan when
 * the host supplies the scan's picture, placed as the model's input framed
 * the slice (overlayGrid), with an overlay toggle and an opacity slider; the
 * class's probabilities beside it.
 */
export async function explainView(result: Explain, root: HTMLElement, scanImage: Promise<string | undefined>): Promise<void> {
  const chart = h('div', { class: 'sl-chart' });
  const opacity = h('input', { type: 'range', min: '0', max: '1', step: '0.05', value: '0.5', 'aria-label': 'opacity' });
  const toggle = h('input', { type: 'checkbox', checked: '', 'aria-label': 'overlay' });
  const { width, height, x0, dx, y0, dy, z } = overlayGrid(result);
  const heatmap = {
    type: 'heatmap',
    z,
    x0,
    dx,
    y0,
    dy,
    colorscale: 'Jet',
    zsmooth: 'best',
    zmin: 0,
    zmax: 1,
    opacity: 0.5,
    showscale: true,
    hovertemplate: 'x %{x:.0f}, y %{y:.0f}: %{z:.2f}<extra></extra>',
  };
  // Fixed ranges (y reversed: row 0 at the top) span the scan whether or not the overlay is shown; the plot shrinks to its proportions.
  const axis = (from: number, to: number) => ({ range: [from, to], constrain: 'domain', showgrid: false, zeroline: false, showticklabels: false, ticks: '' });
  const draw = async (image: string | undefined): Promise<void> => {
    const images = image ? [{ source: image, xref: 'x', yref: 'y', x: -0.5, y: -0.5, sizex: width, sizey: height, sizing: 'stretch', layer: 'below' }] : [];
    const layout = plotLayout(root, { height: 320, width: 360, xaxis: axis(-0.5, width - 0.5), yaxis: { ...axis(height - 0.5, -0.5), scaleanchor: 'x' }, images });
    await Plotly.react(chart, [{ ...heatmap, opacity: Number(opacity.value), visible: toggle.checked }], layout, PLOT_CONFIG);
  };
  opacity.addEventListener('input', () => void Plotly.restyle(chart, { opacity: Number(opacity.value) }, [0]));
  toggle.addEventListener('change', () => void Plotly.restyle(chart, { visible: toggle.checked }, [0]));
  const rows = result.labels.map((label, i) => [label, percent(result.probabilities[i] ?? 0)]);
  root.append(
    h('div', { class: 'sl-title' }, `explain ${result.file}: ${result.method} for ${result.class.label}`),
    h('div', { class: 'sl-note' }, `map ${result.map.width}×${result.map.height} at ${result.layer ?? 'the model input'}`),
    h('div', { class: 'sl-controls' }, h('label', { class: 'sl-control' }, toggle, ' overlay'), h('label', { class: 'sl-control' }, 'opacity ', opacity)),
    chart,
    table(['class', 'probability'], rows, (row) => row === result.class.index),
  );
  await draw(undefined);
  const image = await scanImage;
  if (image) await draw(image);
}
