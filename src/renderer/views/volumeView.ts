import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { percent, sliceProfile } from '../chartData';
import { classSwitch, h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout } from '../theme';

type Volume = Extract<NotebookResult, { kind: 'volume' }>;

/** Peak slice per class and the probability profile of one class along the slices, switchable. */
export async function volumeView(result: Volume, root: HTMLElement): Promise<void> {
  const chart = h('div', { class: 'sl-chart' });
  const draw = (classIndex: number): Promise<HTMLElement> => {
    const profile = sliceProfile(result, classIndex);
    const layout = plotLayout(root, { xaxis: { title: { text: `${result.axis} slice` } }, yaxis: { range: [0, 1], tickformat: '.0%' } });
    return Plotly.react(chart, [{ type: 'scatter', mode: 'lines', x: profile.x, y: profile.y, line: { color: accent(root) }, name: result.labels[classIndex] ?? '' }], layout, PLOT_CONFIG);
  };
  root.append(
    h('div', { class: 'sl-title' }, `volume ${result.file}: ${result.slices.length} ${result.axis} slices`),
    table(['class', 'peak slice', 'probability'], result.peaks.map((p) => [p.label, String(p.slice), percent(p.probability)])),
    h('div', { class: 'sl-controls' }, classSwitch(result.labels, 0, (i) => void draw(i))),
    chart,
  );
  await draw(0);
}
