import { Command, InvalidArgumentError, Option } from 'commander';
import { FINE_TUNING, trainJob, type TrainOptions, type TrainResult } from '../core/jobs/trainJob';
import { ScanLensError } from '../core/errors';
import { FINE_TUNE_DEFAULTS } from '../core/train/fineTune';
import { keptText } from '../core/train/trainingCard';
import { SCANLENS_VERSION } from '../core/version';
import { loadModelFromFlags, parsePositiveInt, providerOption, threadsOption, type ModelFlags } from './modelOption';
import { EXIT, printJson, printLine } from './output';
import { progressReporter } from './progress';

interface TrainFlags extends ModelFlags {
  readonly backbone?: string;
  readonly out: string;
  readonly val?: string;
  readonly seed: number;
  readonly conformal?: number;
  readonly finetuneBlocks?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly weightDecay?: number;
  readonly patience?: number;
  readonly json?: boolean;
}

/** A positive number (a learning rate). */
function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('needs a positive number');
  return n;
}

/** A number ≥ 0 (a weight decay). */
function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('needs a number of at least 0');
  return n;
}

const FINE_TUNE_FLAGS = { epochs: '--epochs', batchSize: '--batch-size', learningRate: '--learning-rate', weightDecay: '--weight-decay', patience: '--patience' } as const;

/** The fine-tuning options asked for, or undefined for a linear probe; a fine-tuning flag without --finetune-blocks is refused. */
function fineTuneOf(flags: TrainFlags): TrainOptions['fineTune'] {
  const given = (Object.keys(FINE_TUNE_FLAGS) as (keyof typeof FINE_TUNE_FLAGS)[]).filter((k) => flags[k] !== undefined);
  if (flags.finetuneBlocks === undefined) {
    if (given.length > 0) throw new ScanLensError(`${given.map((k) => FINE_TUNE_FLAGS[k]).join(', ')} ${given.length === 1 ? 'applies' : 'apply'} only to fine-tuning; add --finetune-blocks K`);
    return undefined;
  }
  return { blocks: flags.finetuneBlocks, ...Object.fromEntries(given.map((k) => [k, flags[k]])) };
}

/** A miscoverage for conformal sets: a number strictly between 0 and 1. */
function alphaOf(value: string): number {
  const alpha = Number(value);
  if (!(alpha > 0 && alpha < 1)) throw new InvalidArgumentError('needs a number between 0 and 1 (0.1 asks for sets holding the true class 90 % of the time)');
  return alpha;
}

/** A whole number ≥ 0. */
function seedOf(value: string): number {
  return parsePositiveInt(String(Number(value) + 1)) - 1;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

function summary(result: TrainResult): string[] {
  const tuned = result.fineTune;
  return [
    tuned
      ? `fine-tuned the head and ${tuned.blocks.length} block(s) (${tuned.blocks.join(', ')}) for ${result.labels.join(', ')}, from a linear probe on ${result.embedding}: ${tuned.history.length - 1} epoch(s)${tuned.stoppedEarly ? ' (stopped early)' : ''}; ${keptText(tuned.bestEpoch)}`
      : `trained a linear probe for ${result.labels.join(', ')} on ${result.embedding}`,
    `  training:   ${result.train.images} scans, accuracy ${pct(result.train.accuracy)}, NLL ${result.train.nll.toFixed(4)}`,
    `  validation: ${result.validation.images} scans, accuracy ${pct(result.validation.accuracy)}, NLL ${result.validation.nll.toFixed(4)}`,
    `  L2 strength C = ${result.strength.strength} (${result.strength.folds}-fold cross-validation)`,
    typeof result.calibration === 'string'
      ? `  not calibrated: ${result.calibration}`
      : `  temperature ${result.calibration.temperature.toFixed(4)}: validation ECE ${result.calibration.before.ece.toFixed(4)} -> ${result.calibration.after.ece.toFixed(4)}, NLL ${result.calibration.before.nll.toFixed(4)} -> ${result.calibration.after.nll.toFixed(4)}`,
    ...(result.conformal === undefined
      ? []
      : typeof result.conformal === 'string'
        ? [`  no conformal sets: ${result.conformal}`]
        : [
            `  conformal sets (APS, alpha ${result.conformal.alpha}): threshold ${result.conformal.threshold.toFixed(4)} on ${result.conformal.scans} validation scans, mean set size there ${result.conformal.meanSetSize.toFixed(2)}`,
          ]),
    `wrote ${result.manifestPath} (use it with --model), ${result.cardPath}, ${result.logPath}`,
  ];
}

async function run(labelled: string, flags: TrainFlags): Promise<number> {
  const fineTune = fineTuneOf(flags);
  const backbone = await loadModelFromFlags({ ...flags, model: flags.backbone });
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  const reporters = new Map<string, (done: number, total: number) => void>();
  try {
    const result = await trainJob(backbone, {
      labelled,
      out: flags.out,
      seed: flags.seed,
      ...(flags.val ? { validation: flags.val } : {}),
      ...(flags.conformal !== undefined ? { conformalAlpha: flags.conformal } : {}),
      ...(fineTune ? { fineTune } : {}),
      signal: controller.signal,
      onEpoch: (r, epochs) =>
        printLine(
          `epoch ${r.epoch}/${epochs}: training loss ${r.trainLoss.toFixed(4)}, accuracy ${pct(r.trainAccuracy)}; validation loss ${r.validationLoss.toFixed(4)}, accuracy ${pct(r.validationAccuracy)}`,
          process.stderr,
        ),
      onProgress: (done, total, stage) => {
        // Epochs are reported by onEpoch, one line each (early stopping ends them before the total).
        if (stage === `${FINE_TUNING} epochs`) return;
        if (!reporters.has(stage)) reporters.set(stage, progressReporter(stage));
        reporters.get(stage)!(done, total);
      },
    });
    for (const { error } of result.errors) printLine(`scanlens: ${error}`, process.stderr);
    // The head's weights are in the model file; the JSON says what was trained and how well.
    const { head: _head, ...shown } = result;
    if (flags.json) printJson({ scanlens: { version: SCANLENS_VERSION }, ...shown });
    else for (const line of summary(result)) printLine(line);
    return result.errors.length > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    process.off('SIGINT', stop);
  }
}

export function trainCommand(): Command {
  return new Command('train')
    .description('train a classifier on labelled scans: a linear probe on a backbone model, optionally fine-tuned, written as a new ScanLens model')
    .argument('<labelled>', 'a folder with one sub-folder of scans per class, or a labels.csv (file,label; files relative to it)')
    .requiredOption('--out <dir>', 'folder for the new model (model.onnx, model.json, MODEL_CARD.md, training-log.json)')
    .addOption(new Option('--backbone <path>', 'backbone model: manifest (.json), bare .onnx or folder (default: the bundled demo model)'))
    .option('--val <labelled>', 'validation scans in the same form (default: a seeded, stratified fifth of the training scans)')
    .addOption(new Option('--seed <n>', 'seed of the split and the cross-validation folds (a whole number)').default(0).argParser(seedOf))
    .addOption(
      new Option(
        '--conformal <alpha>',
        'calibrate conformal prediction sets (APS) on the validation scans: classify then gives each scan a set of classes holding the true one at least 1 − alpha of the time',
      ).argParser(alphaOf),
    )
    .addOption(
      new Option(
        '--finetune-blocks <k>',
        'after the probe, fine-tune its head and the last K blocks before it (a block: a Conv, Gemm or MatMul with stored weights plus a BatchNorm/LayerNorm reading its output, counted back from the head; residual blocks are not units; BatchNorm statistics stay as stored) with AdamW on augmented mini-batches, stopping on the validation loss',
      ).argParser(parsePositiveInt),
    )
    .addOption(new Option('--epochs <n>', `fine-tuning: most epochs (default ${FINE_TUNE_DEFAULTS.epochs})`).argParser(parsePositiveInt))
    .addOption(new Option('--batch-size <n>', `fine-tuning: scans per mini-batch (default ${FINE_TUNE_DEFAULTS.batchSize})`).argParser(parsePositiveInt))
    .addOption(new Option('--learning-rate <lr>', `fine-tuning: AdamW learning rate (default ${FINE_TUNE_DEFAULTS.learningRate})`).argParser(positiveNumber))
    .addOption(new Option('--weight-decay <wd>', `fine-tuning: AdamW decoupled weight decay (default ${FINE_TUNE_DEFAULTS.weightDecay})`).argParser(nonNegativeNumber))
    .addOption(new Option('--patience <n>', `fine-tuning: stop after this many epochs without a lower validation loss (default ${FINE_TUNE_DEFAULTS.patience})`).argParser(parsePositiveInt))
    .option('--json', 'print one JSON document to stdout')
    .addOption(threadsOption)
    .addOption(providerOption)
    .action(async (labelled: string, flags: TrainFlags) => {
      process.exitCode = await run(labelled, flags);
    });
}
