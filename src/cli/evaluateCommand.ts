import { Command } from 'commander';
import { evaluateJob, type EvaluateResult } from '../core/jobs/evaluateJob';
import { terminalText } from '../core/text/escape';
import { SCANLENS_VERSION } from '../core/version';
import { loadModelFromFlags, modelOption, parsePositiveInt, providerOption, threadsOption, type ModelFlags } from './modelOption';
import { EXIT, printJson, printLine } from './output';
import { progressReporter } from './progress';

interface EvaluateFlags extends ModelFlags {
  readonly batch: number;
  readonly json?: boolean;
}

const fixed = (v: number | null): string => (v === null ? '—' : v.toFixed(3));

function summary(result: EvaluateResult): string[] {
  const classified = result.rows.length - result.failed;
  const { ece, mce, brier, nll } = result.calibration;
  const width = Math.max(5, ...result.labels.map((l) => l.length));
  return [
    `accuracy ${(result.accuracy * 100).toFixed(1)} % on ${classified} scan(s)${result.failed > 0 ? `, ${result.failed} failed` : ''}`,
    `calibration: ECE ${ece.toFixed(4)}, MCE ${mce.toFixed(4)}, Brier ${brier.toFixed(4)}, NLL ${nll.toFixed(4)}`,
    `${'class'.padEnd(width)}  precision  recall  ROC AUC     AP  scans`,
    ...result.perClass.map(
      (c) =>
        `${c.label.padEnd(width)}  ${fixed(c.precision).padStart(9)}  ${fixed(c.recall).padStart(6)}  ${fixed(c.auc).padStart(7)}  ${fixed(c.averagePrecision).padStart(5)}  ${String(c.support).padStart(5)}`,
    ),
    `confusion (rows true, columns predicted): ${result.labels.map((l, i) => `${l} [${result.confusion[i]!.join(' ')}]`).join(', ')}`,
  ].map(terminalText);
}

async function run(labelled: string, flags: EvaluateFlags): Promise<number> {
  const model = await loadModelFromFlags(flags);
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  try {
    const result = await evaluateJob(model, labelled, { batchSize: flags.batch, signal: controller.signal, onProgress: progressReporter('classifying') });
    for (const row of result.rows) if ('error' in row) printLine(`scanlens: ${terminalText(row.error)}`, process.stderr);
    if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, model: { name: model.manifest.name, sha256: model.sha256 }, ...result });
    else for (const line of summary(result)) printLine(line);
    return result.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
  }
}

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description(
      "classify labelled scans and score the model against the labels: accuracy, per-class precision, recall and ROC AUC, the confusion matrix and calibration (ECE, MCE, Brier, NLL with the reliability diagram's bins in --json)",
    )
    .argument('<labelled>', 'a folder with one sub-folder of scans per class, or a labels.csv (file,label; files relative to it)')
    .addOption(modelOption)
    .option('--batch <n>', 'files per inference batch', parsePositiveInt, 8)
    .option('--json', 'print one JSON document to stdout: every row and every number')
    .addOption(threadsOption)
    .addOption(providerOption)
    .action(async (labelled: string, flags: EvaluateFlags) => {
      process.exitCode = await run(labelled, flags);
    });
}
