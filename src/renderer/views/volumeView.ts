import Plotly from 'plotly.js-cartesian-dist-min';
import type { NotebookResult } from '../../protocol/notebookResult';
import { checkCellText, warningFor } from '../../core/vocabulary/outOfDistribution';
import { peakWarnings, peakWarningsTitle } from '../../core/vocabulary/peakVerdicts';
import { percent, sliceProfile } from '../chartData';
import { classSwitch, h, table } from '../dom';
import { accent, PLOT_CONFIG, plotLayout } from '../theme';

type Volume = Extract<NotebookResult, { kind: 'volume' }>;
type Peak = Volume['peaks'][number];

/** The flagged peak slices above the table, each with the warning, as classify results show flagged files. */
function outOfDistributionBox(result: Volume): HTMLElement[] {
  const title = peakWarningsTitle(result.peaks);
  if (title === undefined) return [];
  return [h('div', { class: 'sl-warning', role: 'alert' }, h('strong', {}, `⚠ ${title}`), h('ul', {}, ...peakWarnings(result.peaks, String).map((w) => h('li', {}, w))))];
}

/**
 * Peak slice per class (with the guard's check on it, flagged peaks marked,
 * for a guarded model) and the probability profile of one class along the
 * slices, switchable.
 */
export async function volumeView(result: Volume, root: HTMLElement): Promise<void> {
  const guarded = result.peaks.some((p) => p.anomalyScore !== undefined);
  const checkCell = (p: Peak): string[] => (guarded ? [checkCellText(p)] : []);
  const peaks = table(
    ['class', 'peak slice', 'probability', ...(guarded ? ['out-of-distribution check'] : [])],
    result.peaks.map((p) => [p.label, String(p.slice), percent(p.probability), ...checkCell(p)]),
  );
  result.peaks.forEach((p, i) => {
    if (warningFor(p)) peaks.tBodies[0]?.rows[i]?.classList.add('sl-ood');
  });
  const chart = h('div', { class: 'sl-chart' });
  const draw = (classIndex: number): Promise<HTMLElement> => {
    const profile = sliceProfile(result, classIndex);
    const layout = plotLayout(root, { xaxis: { title: { text: `${result.axis} slice` } }, yaxis: { range: [0, 1], tickformat: '.0%' } });
    return Plotly.react(chart, [{ type: 'scatter', mode: 'lines', x: profile.x, y: profile.y, line: { color: accent(root) }, name: result.labels[classIndex] ?? '' }], layout, PLOT_CONFIG);
  };
  root.append(
    h('div', { class: 'sl-title' }, `volume ${result.file}: ${result.slices.length} ${result.axis} slices`),
    ...outOfDistributionBox(result),
    peaks,
    h(
      'div',
      { class: 'sl-controls' },
      classSwitch(result.labels, 0, (i) => void draw(i)),
    ),
    chart,
  );
  await draw(0);
}
