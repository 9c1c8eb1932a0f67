import { modelGuard } from '../../../core/anomaly/modelGuard';
import { classifyVolume } from '../../../core/classify/classifyVolume';
import { aboutFile } from '../../../core/errors';
import { terminalText } from '../../../core/text/escape';
import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import { loadScan } from '../../../core/scan/loadScan';
import type { SliceAxis } from '../../../core/scan/reslice';
import { peakMark, peakVerdictsLine, peakWarningsQuote } from '../../../core/vocabulary/peakVerdicts';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { sliceProfile } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { lineChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { parametersOf } from './parameters';

/**
 * `volume <file>`: every slice along an axis classified, a per-class profile
 * chart and the peak slice per class, with the guard's verdict on each peak
 * slice for a guarded model.
 */
export const volumeCommand: CommandRunner<CommandOf<'volume'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const axis = (command.options.axis ?? 'axial') as SliceAxis;
  const { path, file } = await session.readPath(command.args[0]!);
  // Opened before the scan is read, so a manifest naming a missing detector fails at once.
  const guard = await modelGuard(model);
  const row = await (async () => {
    const scan = await loadScan(path, DEFAULT_LIMITS, { volume: command.options.volume ?? 0 });
    return classifyVolume(model, scan, axis, {
      batchSize: command.options.batch ?? 8,
      signal,
      guard,
      onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `slice ${done} of ${total}` }),
    });
  })().catch((error: unknown) => {
    throw aboutFile(file, error);
  });
  const labels = [...row.labels];
  const slices = row.slices.map((s) => ({ slice: s.slice, probabilities: [...s.probabilities] }));
  const peaks = row.peaks.map((p) => ({ ...p }));
  const result: NotebookResult = { kind: 'volume', file, axis, labels, slices, peaks, ...(row.notes ? { notes: [...row.notes] } : {}) };
  // Anomaly columns only for a guarded classifier, as in classify tables.
  const guarded = guard !== undefined;
  const table: Table = {
    columns: ['class', 'peak slice', 'probability', ...(guarded ? ['anomaly score', 'flag'] : [])],
    rows: peaks.map((p) => [p.label, p.slice, p.probability, ...(guarded ? [p.anomalyScore ?? null, p.flag ?? null] : [])]),
  };
  const prov = provenance(command.text, parametersOf(command), model);
  const verdicts = peakVerdictsLine(peaks, String);
  const text = terminalText(
    `${file}: ${slices.length} ${axis} slices; peaks ${peaks.map((p) => `${p.label} ${p.probability.toFixed(3)}@${p.slice}${peakMark(p)}`).join('  ')}${verdicts ? `  ${verdicts}` : ''}`,
  );
  // The warning leads the markdown, as for classify, so a reader meets it before the peaks.
  const markdown = [...peakWarningsQuote(peaks, String), markdownTable(table)].join('\n');
  return [
    displayOutput({ result, markdown, text }, prov),
    displayOutput(
      {
        plotly: sliceProfile(labels, slices, axis),
        svg: lineChartSvg(
          `Class probability by ${axis} slice`,
          `${axis} slice`,
          'probability',
          labels.map((name, c) => ({ name, x: slices.map((s) => s.slice), y: slices.map((s) => s.probabilities[c]!) })),
        ),
        text: `line chart: class probability over ${slices.length} ${axis} slices`,
      },
      prov,
    ),
  ];
};
