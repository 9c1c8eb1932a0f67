import { ScanLensError } from '../../../core/errors';
import { FINE_TUNING, trainJob, type TrainOptions } from '../../../core/jobs/trainJob';
import type { EpochRecord } from '../../../core/train/fineTune';
import { keptText } from '../../../core/train/trainingCard';
import { terminalText } from '../../../core/text/escape';
import { displayOutput, type NotebookOutput } from '../../outputs/notebookOutput';
import { trainingCurves, type PlotlyFigure } from '../../outputs/plotlyCharts';
import { provenance } from '../../outputs/provenance';
import { lineChartSvg } from '../../outputs/svgCharts';
import type { CommandOf, CommandRunner } from '../commandContext';
import { displayPath, relativeMessage } from '../resolveInputs';
import { parametersOf } from './parameters';

const OUT_FILES = ['model.onnx', 'model.json', 'MODEL_CARD.md', 'training-log.json'];

/** Fine-tuning's epochs as plain text, for viewers without plotly. */
const epochTable = (history: readonly EpochRecord[]): string =>
  history
    .map(
      (r) =>
        `epoch ${r.epoch}: training loss ${r.trainLoss.toFixed(4)}, accuracy ${(r.trainAccuracy * 100).toFixed(1)} %; validation loss ${r.validationLoss.toFixed(4)}, accuracy ${(r.validationAccuracy * 100).toFixed(1)} %`,
    )
    .join('\n');

/**
 * `train <labelled> out=<folder>`: the train job on the current model, every
 * scan it reads and every file it writes checked against the notebook's
 * scope; under `scanlens run --check` it trains and shows the same outputs but
 * writes nothing. Shows the card, and the cross-validation curve the L2
 * strength was chosen from. With finetune=K the loss and accuracy curves are
 * shown under the progress line after every epoch (onProgress's live output),
 * and in the result.
 */
export const trainCommand: CommandRunner<CommandOf<'train'>> = async ({ command, session, signal, onProgress }) => {
  const { options } = command;
  if (!options.out) throw new ScanLensError('train needs out=<folder>: where the new model is saved');
  const model = await session.model();
  const base = session.baseDir;
  const labelled = await session.readPath(command.args[0]!);
  const validation = options.val ? await session.readPath(options.val) : undefined;
  const out = await session.writePath(options.out);
  for (const name of OUT_FILES) await session.writePath(`${out.path}/${name}`);
  const scope = await session.scope();
  const fineTune: TrainOptions['fineTune'] =
    options.finetune === undefined
      ? undefined
      : {
          blocks: options.finetune,
          ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
          ...(options.batch !== undefined ? { batchSize: options.batch } : {}),
          ...(options.lr !== undefined ? { learningRate: options.lr } : {}),
          ...(options.decay !== undefined ? { weightDecay: options.decay } : {}),
          ...(options.patience !== undefined ? { patience: options.patience } : {}),
        };
  const unused = (['epochs', 'batch', 'lr', 'decay', 'patience'] as const).filter((name) => options[name] !== undefined);
  if (!fineTune && unused.length > 0) throw new ScanLensError(`${unused.map((name) => `${name}=`).join(', ')} ${unused.length === 1 ? 'applies' : 'apply'} only to fine-tuning; add finetune=K`);
  const history: EpochRecord[] = [];
  // The curves so far ride along with every later progress report, which replaces what the cell shows.
  let live: NotebookOutput | undefined;
  const result = await trainJob(model, {
    labelled: labelled.path,
    ...(validation ? { validation: validation.path } : {}),
    out: out.path,
    seed: options.seed ?? 0,
    ...(options.conformal !== undefined ? { conformalAlpha: options.conformal } : {}),
    ...(fineTune ? { fineTune } : {}),
    onEpoch: (record, epochs) => {
      history.push(record);
      onProgress({
        line: command.line,
        done: record.epoch,
        total: epochs,
        message: `fine-tuning: epoch ${record.epoch} of at most ${epochs}, validation loss ${record.validationLoss.toFixed(4)}, accuracy ${(record.validationAccuracy * 100).toFixed(1)} %`,
        live: (live = displayOutput({ text: epochTable(history), plotly: trainingCurves(history) }, provenance(command.text, parametersOf(command), model))),
      });
    },
    signal,
    dryRun: session.options.dryRun ?? false,
    admit: (file) => scope.readable(file, displayPath(base, file)),
    onProgress: (done, total, stage) => {
      if (stage === `${FINE_TUNING} epochs`) return;
      onProgress({ line: command.line, done, total, message: `${stage}: ${done} of ${total}`, ...(live ? { live } : {}) });
    },
  });
  const { strength } = result;
  const tuned = result.fineTune;
  const curve: PlotlyFigure = {
    data: [{ type: 'scatter', mode: 'lines+markers', name: 'held-out NLL', x: strength.scores.map((s) => s.strength), y: strength.scores.map((s) => s.nll) }],
    layout: {
      title: { text: `L2 strength by ${strength.folds}-fold cross-validation (chosen: C = ${strength.strength})` },
      xaxis: { type: 'log', title: { text: 'C' } },
      yaxis: { title: { text: 'mean held-out NLL' } },
    },
  };
  const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
  const errors = result.errors.map((e) => relativeMessage(base, e.error));
  const text = [
    `${tuned ? `fine-tuned (head and ${tuned.blocks.length} block(s), ${tuned.history.length - 1} epoch(s); ${keptText(tuned.bestEpoch)})` : 'trained'} ${displayPath(base, result.manifestPath)} (${result.labels.join(', ')}): validation accuracy ${pct(result.validation.accuracy)} on ${result.validation.images} scans, training ${pct(result.train.accuracy)} on ${result.train.images}`,
    ...errors,
  ]
    .map((line) => terminalText(line))
    .join('\n');
  const curves = tuned
    ? [
        displayOutput(
          {
            text: epochTable(tuned.history),
            plotly: trainingCurves(tuned.history, tuned.bestEpoch),
            svg: lineChartSvg('Fine-tuning', 'epoch', 'loss', [
              { name: 'training loss', x: tuned.history.map((r) => r.epoch), y: tuned.history.map((r) => r.trainLoss) },
              { name: 'validation loss', x: tuned.history.map((r) => r.epoch), y: tuned.history.map((r) => r.validationLoss), dashed: true },
            ]),
          },
          provenance(command.text, parametersOf(command), model),
        ),
      ]
    : [];
  return [
    ...curves,
    displayOutput(
      {
        text,
        markdown: result.card,
        plotly: curve,
        svg: lineChartSvg('L2 strength by cross-validation', 'C (log)', 'mean held-out NLL', [
          { name: 'NLL', x: strength.scores.map((s) => Math.log10(s.strength)), y: strength.scores.map((s) => s.nll) },
        ]),
      },
      provenance(command.text, parametersOf(command), model),
    ),
  ];
};
