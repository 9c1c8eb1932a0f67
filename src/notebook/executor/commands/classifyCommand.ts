import { DEFAULT_LIMITS } from '../../../core/scan/limits';
import type { SliceAxis } from '../../../core/scan/reslice';
import { classifyInputs } from '../../../core/jobs/classifyInputs';
import { classifyJob, isVolumeResult, rowError, type ImageResult } from '../../../core/jobs/classifyJob';
import { classifyLine } from '../../../core/report/classifyText';
import type { GuardFields } from '../../../core/vocabulary/outOfDistribution';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { outOfDistributionMarkdown } from '../../outputs/guardMarkdown';
import { markdownTable, plainTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { probabilityBars } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { barChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, relativeMessage, resolveInputs } from '../resolveInputs';
import { parametersOf } from './parameters';

type Row = Extract<NotebookResult, { kind: 'classify' }>['rows'][number];
type Cell = string | number | null;

/**
 * `classify <files|folders|globs>`: the rows of `scanlens classify` — images,
 * volumes and each DICOM series on its own — as a table and a bar chart; bad
 * inputs become error rows.
 */
export const classifyCommand: CommandRunner<CommandOf<'classify'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const { labels } = model.manifest;
  const base = session.baseDir;
  const { files, missing } = await resolveInputs(await session.scope(), base, command.args);
  const rows: Row[] = missing.map((m) => ({ file: m.file, error: m.error }));
  const texts = missing.map((m) => `${m.file}  ERROR  ${m.error}`);
  const top = command.options.top ?? 3;
  const progress = (done: number, total: number): void => onProgress({ line: command.line, done, total, message: `classified ${done} of ${total}` });
  const inputs = await classifyInputs(files, DEFAULT_LIMITS, { sequences: model.manifest.input.sequences });
  for await (const row of classifyJob(model, inputs, {
    batchSize: command.options.batch ?? 8,
    topK: labels.length,
    axis: command.options.axis as SliceAxis | undefined,
    signal,
    onProgress: progress,
  })) {
    const file = displayPath(base, row.file);
    const fileList = 'files' in row && row.files ? { files: row.files.map((f) => displayPath(base, f)) } : {};
    texts.push(classifyLine(row, top, file));
    const error = rowError(row);
    if (error !== undefined) rows.push({ file, error: relativeMessage(base, error), ...(row.kind !== 'image' ? { kind: row.kind } : {}), ...fileList });
    else if (isVolumeResult(row)) {
      rows.push({
        file,
        kind: row.kind,
        axis: row.axis,
        slices: row.sliceCount,
        peaks: row.peaks.map((p) => ({ ...p })),
        top: { ...row.top },
        ...fileList,
        ...(row.notes ? { notes: [...row.notes] } : {}),
      });
    } else {
      const image = row as ImageResult;
      rows.push({
        file,
        probabilities: [...image.probabilities!],
        top: image.top!,
        ...(image.notes ? { notes: [...image.notes] } : {}),
        ...(image.predictionSet ? { predictionSet: [...image.predictionSet] } : {}),
        ...(image.anomalyScore !== undefined ? { anomalyScore: image.anomalyScore, anomalyThreshold: image.anomalyThreshold! } : {}),
        ...(image.flag ? { flag: image.flag } : {}),
      });
    }
  }
  const result: NotebookResult = { kind: 'classify', labels: [...labels], rows };
  // Anomaly and volume columns only when a row needs them: other tables keep their familiar shape.
  const verdictOf = (r: Row): { anomalyScore?: number; flag?: string } => ('peaks' in r ? r.top : 'error' in r ? {} : r);
  const guarded = rows.some((r) => verdictOf(r).anomalyScore !== undefined);
  const volumes = rows.some((r) => 'peaks' in r);
  const setOf = (r: Row): string | null => ('predictionSet' in r && r.predictionSet ? r.predictionSet.join(', ') : null);
  const conformal = rows.some((r) => setOf(r) !== null);
  const probabilitiesOf = (r: Row): Cell[] => ('peaks' in r ? labels.map((_, i) => r.peaks[i]?.probability ?? null) : 'error' in r ? labels.map(() => null) : r.probabilities);
  const table: Table = {
    columns: [
      'file',
      'prediction',
      'probability',
      ...labels.map((l) => `p(${l})`),
      'error',
      ...(guarded ? ['anomaly score', 'flag'] : []),
      ...(conformal ? ['prediction set'] : []),
      ...(volumes ? ['kind', 'axis', 'slices', 'top slice'] : []),
    ],
    rows: rows.map((r) => [
      r.file,
      'error' in r ? null : r.top.label,
      'error' in r ? null : r.top.probability,
      ...probabilitiesOf(r),
      'error' in r ? r.error : null,
      ...(guarded ? [verdictOf(r).anomalyScore ?? null, verdictOf(r).flag ?? null] : []),
      ...(conformal ? [setOf(r)] : []),
      ...(volumes ? ('peaks' in r ? [r.kind, r.axis, r.slices, r.top.slice] : ['error' in r ? (r.kind ?? 'image') : 'image', null, null, null]) : []),
    ]),
  };
  session.lastTable = { name: 'classify', table };
  const prov = provenance(command.text, parametersOf(command), model);
  const ok = rows.flatMap((r) => ('error' in r || 'peaks' in r ? [] : [{ file: r.file, probabilities: r.probabilities }]));
  // The verdict leads the markdown, as in the renderer, so a reader without it meets the warning before the probabilities.
  const guardedRows = rows.flatMap((r): GuardFields[] & { file: string }[] => ('error' in r ? [] : 'peaks' in r ? [{ file: r.file, ...r.top }] : [r]));
  const markdown = outOfDistributionMarkdown(guardedRows) + markdownTable(table);
  const outputs = [displayOutput({ result, markdown, text: texts.join('\n') || plainTable(table) }, prov)];
  if (ok.length > 0)
    outputs.push(
      displayOutput(
        {
          plotly: probabilityBars(labels, ok),
          svg: barChartSvg(
            'Class probabilities',
            labels,
            ok.map((r) => ({ name: r.file, values: r.probabilities })),
          ),
          text: `bar chart: class probabilities of ${ok.length} file(s)`,
        },
        prov,
      ),
    );
  return outputs;
};
