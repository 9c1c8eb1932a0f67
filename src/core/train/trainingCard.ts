import type { LoadedModel } from '../model/loadModel';
import { markdownText } from '../text/escape';
import type { Manifest } from '../model/manifest';
import { AUGMENTATION } from './augment';
import type { StrengthChoice } from './chooseStrength';

interface SplitSummary {
  readonly images: number;
  readonly accuracy: number;
  readonly nll: number;
  readonly perClass: Record<string, number>;
  readonly confusion: readonly (readonly number[])[];
}

interface CalibrationFigures {
  readonly ece: number;
  readonly mce: number;
  readonly brier: number;
  readonly nll: number;
}

export interface CardInput {
  readonly backbone: LoadedModel;
  readonly classes: readonly string[];
  readonly strength: StrengthChoice;
  readonly train: SplitSummary;
  readonly validation: SplitSummary;
  /** The temperature scaling fitted, or why none was. */
  readonly calibration: { readonly temperature: number; readonly before: CalibrationFigures; readonly after: CalibrationFigures } | string;
  /** The conformal prediction sets calibrated, why none were, or undefined when none were asked for. */
  readonly conformal?: { readonly alpha: number; readonly threshold: number; readonly scans: number; readonly meanSetSize: number } | string;
  readonly seed: number;
  /** Fine-tuning's settings and curves; absent for a linear probe. */
  readonly fineTune?: {
    readonly settings: { readonly blocks: number; readonly epochs: number; readonly batchSize: number; readonly learningRate: number; readonly weightDecay: number; readonly patience: number };
    readonly blocks: readonly string[];
    readonly parameters: number;
    readonly history: readonly { readonly epoch: number; readonly trainLoss: number; readonly trainAccuracy: number; readonly validationLoss: number; readonly validationAccuracy: number }[];
    readonly bestEpoch: number;
    readonly stoppedEarly: boolean;
  };
  readonly errors: number;
  /** How the validation split was made, in words. */
  readonly validationFrom: string;
}

const INTENDED_USE = 'Research only. Not a medical device: it must not inform any diagnosis or treatment.';

/** Labels are folder names or CSV cells: escaped, so one cannot add markup or a table cell to the card. */
function confusionTable(classes: readonly string[], confusion: readonly (readonly number[])[]): string {
  const head = `| true \\ predicted | ${classes.map(markdownText).join(' | ')} |\n|---|${classes.map(() => '---:').join('|')}|`;
  return [head, ...classes.map((label, i) => `| ${markdownText(label)} | ${confusion[i]!.join(' | ')} |`)].join('\n');
}

function calibrationSection({ calibration }: CardInput): string {
  if (typeof calibration === 'string') return `Not calibrated: ${calibration}.\n`;
  const row = (name: string, f: CalibrationFigures): string => `| ${name} | ${f.ece.toFixed(4)} | ${f.mce.toFixed(4)} | ${f.brier.toFixed(4)} | ${f.nll.toFixed(4)} |`;
  return [
    `Temperature scaling: T = ${calibration.temperature.toFixed(4)}, fitted on the validation scans (so the "after" row is measured on the scans it was fitted on).`,
    '',
    '| validation | ECE | MCE | Brier | NLL |\n|---|---:|---:|---:|---:|',
    row('before', calibration.before),
    row('after', calibration.after),
    '',
  ].join('\n');
}

function conformalSection({ conformal }: CardInput): string[] {
  if (conformal === undefined) return [];
  if (typeof conformal === 'string') return [`No conformal prediction sets: ${conformal}.`, ''];
  return [
    `Conformal prediction sets (APS, alpha = ${conformal.alpha}): classify gives each scan its most probable classes until their probabilities reach ${conformal.threshold.toFixed(4)}, chosen on ${conformal.scans} validation scans (mean set size there ${conformal.meanSetSize.toFixed(2)}). On scans exchangeable with those, the true class is in the set at least ${((1 - conformal.alpha) * 100).toFixed(0)} % of the time; the guarantee is on average over scans, not for each one, and does not hold for scans unlike the validation scans.`,
    '',
  ];
}

/** Which weights fine-tuning kept, in words. */
export function keptText(bestEpoch: number): string {
  return bestEpoch === 0 ? "no epoch lowered the validation loss below the probe's, so the probe's weights were kept" : `the weights of epoch ${bestEpoch} (lowest validation loss) were kept`;
}

function fineTuneSection({ fineTune }: CardInput): string[] {
  if (!fineTune) return [];
  const { settings } = fineTune;
  return [
    '## Fine-tuning',
    '',
    `Starting from the probe, the head and the last ${settings.blocks} block(s) before it (${fineTune.blocks.map(markdownText).join(', ')}; ${fineTune.parameters} weights) were trained with AdamW (learning rate ${settings.learningRate}, decoupled weight decay ${settings.weightDecay}, betas 0.9/0.999) on the class-balanced cross-entropy of mini-batches of ${settings.batchSize}, each scan randomly (seeded) mirrored with probability ${AUGMENTATION.flip}, rotated by up to ±${AUGMENTATION.degrees}°, its intensity scaled by up to ±${AUGMENTATION.gain * 100} % and shifted by up to ${AUGMENTATION.offset} of its standard deviation. Training runs on the CPU. Any BatchNormalization kept its stored statistics. At most ${settings.epochs} epochs, stopping after ${settings.patience} without a lower validation loss; ${fineTune.stoppedEarly ? 'stopped early; ' : ''}${keptText(fineTune.bestEpoch)}. Epoch 0 is the probe before fine-tuning (its training figures on the unaugmented scans).`,
    '',
    '| epoch | training loss | training accuracy | validation loss | validation accuracy |\n|---:|---:|---:|---:|---:|',
    ...fineTune.history.map(
      (r) =>
        `| ${r.epoch}${r.epoch === 0 ? ' (probe)' : ''}${r.epoch === fineTune.bestEpoch ? ' (kept)' : ''} | ${r.trainLoss.toFixed(4)} | ${r.trainAccuracy.toFixed(4)} | ${r.validationLoss.toFixed(4)} | ${r.validationAccuracy.toFixed(4)} |`,
    ),
    '',
  ];
}

/** The manifest's card and the MODEL_CARD.md it points to: data counts per class and split, seed, hyper-parameters, metrics, confusion matrix, intended use. */
export function trainingCard(input: CardInput): { card: NonNullable<Manifest['card']>; markdown: string } {
  const { backbone, classes, strength, train, validation, seed, fineTune } = input;
  const kind = fineTune ? 'finetuned' : 'probe';
  const counts = (split: SplitSummary): string => classes.map((c) => `${c} ${split.perClass[c] ?? 0}`).join(', ');
  const card: NonNullable<Manifest['card']> = {
    description: fineTune
      ? `${backbone.manifest.name} fine-tuned for ${classes.join(', ')}: a class-balanced linear probe on its embedding spliced in place of its head, then the head and the last ${fineTune.settings.blocks} block(s) before it trained with AdamW.`
      : `Linear probe on ${backbone.manifest.name}: a class-balanced multinomial logistic regression on the backbone's embedding, spliced in place of its head, for ${classes.join(', ')}.`,
    intendedUse: INTENDED_USE,
    limitations: `Only as good as the labelled scans it was fitted on; accuracy on scans unlike them (other scanners, sequences, populations) is unknown. ${fineTune ? 'The fine-tuned blocks no longer compute what the backbone did; the rest of the backbone is unchanged.' : 'The backbone is unchanged.'}`,
    data: `Training: ${train.images} scans (${counts(train)}). Validation: ${validation.images} scans (${counts(validation)}), ${input.validationFrom}.${input.errors > 0 ? ` ${input.errors} scan(s) could not be used (see training-log.json).` : ''}`,
    metrics: {
      validationAccuracy: Number(validation.accuracy.toFixed(4)),
      validationNll: Number(validation.nll.toFixed(4)),
      trainAccuracy: Number(train.accuracy.toFixed(4)),
      l2Strength: strength.strength,
      ...(fineTune ? { finetuneBlocks: fineTune.settings.blocks, epochs: fineTune.history.length - 1, bestEpoch: fineTune.bestEpoch } : {}),
      ...(typeof input.calibration !== 'string' ? { temperature: Number(input.calibration.temperature.toFixed(4)), validationEce: Number(input.calibration.after.ece.toFixed(4)) } : {}),
      ...(input.conformal !== undefined && typeof input.conformal !== 'string' ? { conformalAlpha: input.conformal.alpha, conformalThreshold: Number(input.conformal.threshold.toFixed(6)) } : {}),
      seed,
    },
    document: 'MODEL_CARD.md',
  };
  const markdown = [
    `# ${markdownText(`${backbone.manifest.name}-${kind}`)}`,
    '',
    markdownText(card.description!),
    '',
    `**Intended use.** ${INTENDED_USE}`,
    '',
    `**Limitations.** ${card.limitations}`,
    '',
    '## Data',
    '',
    markdownText(card.data!),
    '',
    '## Training',
    '',
    `- Backbone: ${markdownText(backbone.manifest.name)} (sha256 ${backbone.sha256})`,
    `- Seed: ${seed}`,
    `- L2 strength C = ${strength.strength}, chosen by ${strength.folds}-fold stratified cross-validation (mean held-out NLL: ${strength.scores.map((s) => `C ${s.strength}: ${s.nll.toFixed(4)}`).join('; ')})`,
    '',
    ...fineTuneSection(input),
    '## Metrics',
    '',
    `| split | scans | accuracy | NLL |\n|---|---:|---:|---:|\n| training | ${train.images} | ${train.accuracy.toFixed(4)} | ${train.nll.toFixed(4)} |\n| validation | ${validation.images} | ${validation.accuracy.toFixed(4)} | ${validation.nll.toFixed(4)} |`,
    '',
    calibrationSection(input),
    ...conformalSection(input),
    'Validation confusion matrix:',
    '',
    confusionTable(classes, validation.confusion),
    '',
  ].join('\n');
  return { card, markdown };
}
