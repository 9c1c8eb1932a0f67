import { markdownText, terminalText } from '../../../core/text/escape';
import { classifyFiles } from '../../../core/classify/classify';
import { ScanLensError } from '../../../core/errors';
import { classificationMetrics } from '../../../core/metrics/confusionMatrix';
import { oneVsRestRoc } from '../../../core/metrics/rocAuc';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { confusionHeatmap, rocChart } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { heatmapSvg, lineChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { readLabelledScans } from '../../../core/scan/labelledScans';
import { displayPath, relativeMessage } from '../resolveInputs';
import { parametersOf } from './parameters';

function rocSvg(roc: ReturnType<typeof oneVsRestRoc>): string {
  const curves = roc.filter((c) => c.auc !== null).map((c) => ({ name: `${c.label} (AUC ${c.auc!.toFixed(3)})`, x: c.fpr, y: c.tpr }));
  return lineChartSvg('ROC, one class against the rest', 'false-positive rate', 'true-positive rate', [...curves, { name: 'chance', x: [0, 1], y: [0, 1], dashed: true }]);
}

/** `evaluate <labels.csv|folder>`: classify labelled scans and score the model against the labels. */
export const evaluateCommand: CommandRunner<CommandOf<'evaluate'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const labels = model.manifest.labels;
  const base = session.baseDir;
  const { path, file: source } = await session.readPath(command.args[0]!);
  const items = await readLabelledScans(path, source);
  const scope = await session.scope();
  for (const item of items) {
    await scope.readable(item.file, displayPath(base, item.file));
    if (!labels.includes(item.label)) {
      throw new ScanLensError(`unknown label '${item.label}' for ${displayPath(base, item.file)}; the model's classes are ${labels.join(', ')}`, source);
    }
  }
  const truth: number[] = [];
  const predicted: number[] = [];
  const probabilities: number[][] = [];
  const tableRows: Table['rows'] = [];
  let failed = 0;
  let index = 0;
  const progress = (done: number, total: number): void => onProgress({ line: command.line, done, total, message: `classified ${done} of ${total}` });
  for await (const row of classifyFiles(
    model,
    items.map((i) => i.file),
    { batchSize: command.options.batch ?? 8, signal, onProgress: progress },
  )) {
    const item = items[index++]!;
    const file = displayPath(base, row.file);
    if (row.error !== undefined) {
      failed++;
      tableRows.push([file, item.label, null, ...labels.map(() => null), relativeMessage(base, row.error)]);
      continue;
    }
    truth.push(labels.indexOf(item.label));
    predicted.push(labels.indexOf(row.top!.label));
    probabilities.push([...row.probabilities!]);
    tableRows.push([file, item.label, row.top!.label, ...row.probabilities!, null]);
  }
  const metrics = classificationMetrics(labels, truth, predicted);
  const roc = oneVsRestRoc(labels, truth, probabilities);
  const result: NotebookResult = {
    kind: 'evaluate',
    source,
    labels: [...labels],
    files: items.length,
    failed,
    accuracy: metrics.accuracy,
    perClass: metrics.perClass.map((c, i) => ({ ...c, auc: roc[i]!.auc })),
    confusion: metrics.confusion.map((r) => [...r]),
    roc: roc.map((r) => ({ label: r.label, fpr: [...r.fpr], tpr: [...r.tpr] })),
  };
  session.lastTable = { name: 'evaluate', table: { columns: ['file', 'label', 'prediction', ...labels.map((l) => `p(${l})`), 'error'], rows: tableRows } };
  const summary = {
    columns: ['class', 'precision', 'recall', 'ROC AUC', 'files'],
    rows: result.perClass.map((c) => [c.label, c.precision, c.recall, c.auc, c.support]),
  };
  const heading = `**Accuracy ${(metrics.accuracy * 100).toFixed(1)} %** on ${truth.length} file(s)${failed > 0 ? `, ${failed} failed` : ''} from ${markdownText(source)}\n\n`;
  const text =
    terminalText(`${source}: accuracy ${metrics.accuracy.toFixed(4)} on ${truth.length} file(s)${failed > 0 ? `, ${failed} failed` : ''}`) +
    '\n' +
    result.perClass.map((c) => terminalText(`  ${c.label}: precision ${c.precision?.toFixed(3) ?? '—'}  recall ${c.recall?.toFixed(3) ?? '—'}  AUC ${c.auc?.toFixed(3) ?? '—'}`)).join('\n');
  const prov = provenance(command.text, parametersOf(command), model);
  return [
    displayOutput({ result, markdown: heading + markdownTable(summary), text }, prov),
    displayOutput(
      {
        plotly: confusionHeatmap(labels, metrics.confusion),
        svg: heatmapSvg('Confusion matrix', labels, metrics.confusion),
        text: `confusion matrix (rows true, columns predicted): ${JSON.stringify(metrics.confusion)}`,
      },
      prov,
    ),
    displayOutput({ plotly: rocChart(roc), svg: rocSvg(roc), text: `ROC curves: ${roc.map((r) => `${r.label} AUC ${r.auc?.toFixed(3) ?? '—'}`).join(', ')}` }, prov),
  ];
};
