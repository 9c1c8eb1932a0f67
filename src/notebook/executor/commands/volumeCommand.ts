import { classifyVolume } from '../../../core/classify/classifyVolume';
import { aboutFile } from '../../../core/errors';
import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import { loadScan } from '../../../core/scan/loadScan';
import type { SliceAxis } from '../../../core/scan/reslice';
import type { NotebookResult } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { sliceProfile } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { lineChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, resolvePath } from '../resolveInputs';
import { parametersOf } from './parameters';

/** `volume <file>`: every slice along an axis classified, a per-class profile chart and the peak slice per class. */
export const volumeCommand: CommandRunner<CommandOf<'volume'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const axis = (command.options.axis ?? 'axial') as SliceAxis;
  const path = resolvePath(session.baseDir, command.args[0]!);
  const file = displayPath(session.baseDir, path);
  const row = await (async () => {
    const scan = await loadScan(path, DEFAULT_LIMITS, { volume: command.options.volume ?? 0 });
    return classifyVolume(model, scan, axis, {
      batchSize: command.options.batch ?? 8,
      signal,
      onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `slice ${done} of ${total}` }),
    });
  })().catch((error: unknown) => {
    throw aboutFile(file, error);
  });
  const labels = [...row.labels];
  const slices = row.slices.map((s) => ({ slice: s.slice, probabilities: [...s.probabilities] }));
  const peaks = row.peaks.map((p) => ({ ...p }));
  const result: NotebookResult = { kind: 'volume', file, axis, labels, slices, peaks };
  const table = { columns: ['class', 'peak slice', 'probability'], rows: peaks.map((p) => [p.label, p.slice, p.probability]) };
  const prov = provenance(command.text, parametersOf(command), model);
  const text = `${file}: ${slices.length} ${axis} slices; peaks ${peaks.map((p) => `${p.label} ${p.probability.toFixed(3)}@${p.slice}`).join('  ')}`;
  return [
    displayOutput({ result, markdown: markdownTable(table), text }, prov),
    displayOutput({
      plotly: sliceProfile(labels, slices, axis),
      svg: lineChartSvg(`Class probability by ${axis} slice`, `${axis} slice`, 'probability', labels.map((name, c) => ({ name, x: slices.map((s) => s.slice), y: slices.map((s) => s.probabilities[c]!) }))),
      text: `line chart: class probability over ${slices.length} ${axis} slices` }, prov),
  ];
};
