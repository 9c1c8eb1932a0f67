import { markdownText, terminalText } from '../../../core/text/escape';
import { evaluateJob, type EvaluateResult } from '../../../core/jobs/evaluateJob';
import type { NotebookResult, Table } from '../../../protocol/notebookResult';
import { markdownTable } from '../../outputs/markdownTable';
import { displayOutput } from '../../outputs/notebookOutput';
import { confusionHeatmap, precisionRecallChart, reliabilityChart, rocChart } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { heatmapSvg, lineChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, relativeMessage } from '../resolveInputs';
import { parametersOf } from './parameters';

function rocSvg(roc: EvaluateResult['roc']): string {
  const curves = roc.filter((c) => c.auc !== null).map((c) => ({ name: `${c.label} (AUC ${c.auc!.toFixed(3)})`, x: c.fpr, y: c.tpr }));
  return lineChartSvg('ROC, one class against the rest', 'false-positive rate', 'true-positive rate', [...curves, { name: 'chance', x: [0, 1], y: [0, 1], dashed: true }]);
}

function reliabilitySvg(bins: EvaluateResult['calibration']['bins']): string {
  const filled = bins.filter((b) => b.count > 0);
  return lineChartSvg('Reliability: accuracy against confidence', 'mean top probability', 'accuracy', [
    { name: 'model', x: filled.map((b) => b.confidence), y: filled.map((b) => b.accuracy) },
    { name: 'perfectly calibrated', x: [0, 1], y: [0, 1], dashed: true },
  ]);
}

/** `evaluate <labels.csv|folder>`: the evaluate job on labelled scans the notebook may read. */
export const evaluateCommand: CommandRunner<CommandOf<'evaluate'>> = async ({ command, session, signal, onProgress }) => {
  const model = await session.model();
  const base = session.baseDir;
  const { path, file: source } = await session.readPath(command.args[0]!);
  const scope = await session.scope();
  const evaluation = await evaluateJob(model, path, {
    batchSize: command.options.batch ?? 8,
    signal,
    onProgress: (done, total) => onProgress({ line: command.line, done, total, message: `classified ${done} of ${total}` }),
    admit: (file) => scope.readable(file, displayPath(base, file)),
    display: (file) => displayPath(base, file),
  });
  const { labels, calibration: calibrated } = evaluation;
  const tableRows: Table['rows'] = evaluation.rows.map((row) =>
    'error' in row
      ? [displayPath(base, row.file), row.label, null, ...labels.map(() => null), relativeMessage(base, row.error)]
      : [displayPath(base, row.file), row.label, row.prediction, ...row.probabilities, null],
  );
  const classified = evaluation.rows.length - evaluation.failed;
  const failed = evaluation.failed;
  const result: NotebookResult = {
    kind: 'evaluate',
    source,
    labels: [...labels],
    files: evaluation.rows.length,
    failed,
    accuracy: evaluation.accuracy,
    perClass: evaluation.perClass.map((c) => ({ ...c })),
    confusion: evaluation.confusion.map((r) => [...r]),
    roc: evaluation.roc.map((r) => ({ label: r.label, fpr: [...r.fpr], tpr: [...r.tpr] })),
    calibration: { ece: calibrated.ece, mce: calibrated.mce, brier: calibrated.brier, nll: calibrated.nll, bins: calibrated.bins.map((b) => ({ ...b })) },
  };
  session.lastTable = { name: 'evaluate', table: { columns: ['file', 'label', 'prediction', ...labels.map((l) => `p(${l})`), 'error'], rows: tableRows } };
  const summary = {
    columns: ['class', 'precision', 'recall', 'ROC AUC', 'average precision', 'files'],
    rows: result.perClass.map((c) => [c.label, c.precision, c.recall, c.auc, c.averagePrecision ?? null, c.support]),
  };
  const calibrationLine = `ECE ${calibrated.ece.toFixed(4)}, MCE ${calibrated.mce.toFixed(4)}, Brier ${calibrated.brier.toFixed(4)}, NLL ${calibrated.nll.toFixed(4)}`;
  const heading = `**Accuracy ${(evaluation.accuracy * 100).toFixed(1)} %** on ${classified} file(s)${failed > 0 ? `, ${failed} failed` : ''} from ${markdownText(source)}; calibration: ${calibrationLine}\n\n`;
  const text =
    terminalText(`${source}: accuracy ${evaluation.accuracy.toFixed(4)} on ${classified} file(s)${failed > 0 ? `, ${failed} failed` : ''}; ${calibrationLine}`) +
    '\n' +
    result.perClass
      .map((c) =>
        terminalText(`  ${c.label}: precision ${c.precision?.toFixed(3) ?? '—'}  recall ${c.recall?.toFixed(3) ?? '—'}  AUC ${c.auc?.toFixed(3) ?? '—'}  AP ${c.averagePrecision?.toFixed(3) ?? '—'}`),
      )
      .join('\n');
  const prov = provenance(command.text, parametersOf(command), model);
  return [
    displayOutput({ result, markdown: heading + markdownTable(summary), text }, prov),
    displayOutput(
      {
        plotly: confusionHeatmap(labels, evaluation.confusion),
        svg: heatmapSvg('Confusion matrix', labels, evaluation.confusion),
        text: `confusion matrix (rows true, columns predicted): ${JSON.stringify(evaluation.confusion)}`,
      },
      prov,
    ),
    displayOutput({ plotly: rocChart(evaluation.roc), svg: rocSvg(evaluation.roc), text: `ROC curves: ${evaluation.roc.map((r) => `${r.label} AUC ${r.auc?.toFixed(3) ?? '—'}`).join(', ')}` }, prov),
    displayOutput(
      {
        plotly: precisionRecallChart(evaluation.precisionRecall),
        svg: lineChartSvg(
          'Precision–recall, one class against the rest',
          'recall',
          'precision',
          evaluation.precisionRecall.filter((c) => c.averagePrecision !== null).map((c) => ({ name: `${c.label} (AP ${c.averagePrecision!.toFixed(3)})`, x: c.recall, y: c.precision })),
        ),
        text: `precision–recall curves: ${evaluation.precisionRecall.map((c) => `${c.label} AP ${c.averagePrecision?.toFixed(3) ?? '—'}`).join(', ')}`,
      },
      prov,
    ),
    displayOutput(
      {
        plotly: reliabilityChart(calibrated.bins),
        svg: reliabilitySvg(calibrated.bins),
        text: `reliability (${calibrationLine}): ${calibrated.bins
          .filter((b) => b.count > 0)
          .map((b) => `[${b.low.toFixed(2)}, ${b.high.toFixed(2)}) ${b.count} scan(s), confidence ${b.confidence.toFixed(3)}, accuracy ${b.accuracy.toFixed(3)}`)
          .join('; ')}`,
      },
      prov,
    ),
  ];
};
