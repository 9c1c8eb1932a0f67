import { classifyFiles } from '../../../core/classify/classify';
import { modelGuard } from '../../../core/anomaly/modelGuard';
import { rowGuard } from '../../../core/classify/guardRows';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { verdictLine } from '../../../protocol/outOfDistribution';
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

/** `classify <files|folders|globs>`: probabilities per file, a table and a bar chart; bad files become error rows. */
export const classifyCommand: CommandRunner<CommandOf<'classify'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const { labels } = model.manifest;
  const base = session.baseDir;
  const { files, missing } = await resolveInputs(await session.scope(), base, command.args);
  const rows: Row[] = missing.map((m) => ({ file: m.file, error: m.error }));
  const progress = (done: number, total: number): void => onProgress({ line: command.line, done, total, message: `classified ${done} of ${total}` });
  const guard = rowGuard(await modelGuard(model));
  for await (const row of guard(classifyFiles(model, files, { batchSize: command.options.batch ?? 8, topK: labels.length, signal, onProgress: progress }))) {
    const file = displayPath(base, row.file);
    if (row.error !== undefined) rows.push({ file, error: relativeMessage(base, row.error) });
    else
      rows.push({
        file,
        probabilities: [...row.probabilities!],
        top: row.top!,
        ...(row.notes ? { notes: [...row.notes] } : {}),
        ...(row.anomalyScore !== undefined ? { anomalyScore: row.anomalyScore, anomalyThreshold: row.anomalyThreshold! } : {}),
        ...(row.flag ? { flag: row.flag } : {}),
      });
  }
  const result: NotebookResult = { kind: 'classify', labels: [...labels], rows };
  // Anomaly columns only for a guarded classifier: other tables keep their familiar shape.
  const guarded = rows.some((r) => 'anomalyScore' in r);
  const anomalyCells = (r: Row): (string | number | null)[] => (!guarded ? [] : 'error' in r ? [null, null] : [r.anomalyScore ?? null, r.flag ?? null]);
  const table: Table = {
    columns: ['file', 'prediction', 'probability', ...labels.map((l) => `p(${l})`), 'error', ...(guarded ? ['anomaly score', 'flag'] : [])],
    rows: rows.map((r) => [...('error' in r ? [r.file, null, null, ...labels.map(() => null), r.error] : [r.file, r.top.label, r.top.probability, ...r.probabilities, null]), ...anomalyCells(r)]),
  };
  session.lastTable = { name: 'classify', table };
  const top = command.options.top ?? 3;
  const ranked = (r: Exclude<Row, { error: string }>): string => labels.map((l, i) => ({ l, p: r.probabilities[i]! })).sort((a, b) => b.p - a.p).slice(0, top).map((x) => `${x.l} ${x.p.toFixed(3)}`).join('  ');
  const line = (r: Row): string => {
    if ('error' in r) return `${r.file}  ERROR  ${r.error}`;
    const verdict = verdictLine(r);
    return `${r.file}  ${ranked(r)}${verdict ? `  ${verdict}` : ''}`;
  };
  const text = rows.map(line).join('\n');
  const prov = provenance(command.text, parametersOf(command), model);
  const ok = rows.flatMap((r) => ('error' in r ? [] : [{ file: r.file, probabilities: r.probabilities }]));
  // The verdict leads the markdown, as in the renderer, so a reader without it meets the warning before the probabilities.
  const markdown = outOfDistributionMarkdown(rows) + markdownTable(table);
  const outputs = [displayOutput({ result, markdown, text: text || plainTable(table) }, prov)];
  if (ok.length > 0) outputs.push(displayOutput({ plotly: probabilityBars(labels, ok), svg: barChartSvg('Class probabilities', labels, ok.map((r) => ({ name: r.file, values: r.probabilities }))), text: `bar chart: class probabilities of ${ok.length} file(s)` }, prov));
  return outputs;
};
