import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { featureSession } from '../anomaly/features/featureSession';
import { prepareSlice } from '../anomaly/prepareSlice';
import { ScanLensError, oneLine } from '../errors';
import { writeFileAtomic } from '../io/atomicWrite';
import { isInside, realPathOf } from '../io/containment';
import { readLabelledScans, type LabelledScan } from '../scan/labelledScans';
import { calibration, type Calibration } from '../metrics/calibration';
import { classificationMetrics, type ClassificationMetrics } from '../metrics/confusionMatrix';
import type { LoadedModel } from '../model/loadModel';
import type { Manifest } from '../model/manifest';
import { verifiedModelBytes } from '../model/modelBytes';
import { scaledSoftmax } from '../model/softmax';
import { ort } from '../native/ort';
import { decodeModel, encodeModel } from '../onnx/modelProto';
import { chooseStrength, subset, type StrengthChoice } from '../train/chooseStrength';
import { findHead, spliceHead, type HeadLayer } from '../train/headGraph';
import { trainingCard } from '../train/trainingCard';
import { fitSoftmax, logProbabilities, type LabelledFeatures, type LinearHead } from '../train/softmaxRegression';
import { stratifiedHoldOut } from '../train/stratifiedSplit';
import { fitTemperature } from '../train/temperature';
import { apsScore, apsSet, apsThreshold } from '../train/conformal';
import { FINE_TUNE_DEFAULTS, fineTune, type EpochRecord, type FineTuneSettings } from '../train/fineTune';
import { lastBlocks } from '../train/fineTuneBlocks';
import { imageInput } from '../model/imageInput';

export interface TrainOptions {
  /** A folder of class folders, or a CSV of file,label (files relative to it, inside its folder). */
  readonly labelled: string;
  /** Validation scans in the same form; without them a seeded, stratified fifth of the training scans is held out. */
  readonly validation?: string;
  readonly seed?: number;
  /** The new model's folder. */
  readonly out: string;
  readonly onProgress?: (done: number, total: number, stage: string) => void;
  readonly signal?: AbortSignal;
  /** Called with every scan the labelled set lists before it is read; throws to refuse one (a notebook's file scope). */
  readonly admit?: (file: string) => Promise<void>;
  /** Everything but writing: the same result, no file touched (`scanlens run --check`). */
  readonly dryRun?: boolean;
  /** Calibrate conformal prediction sets (APS) at this miscoverage on the validation scans, stored in the manifest. */
  readonly conformalAlpha?: number;
  /** Fine-tune the head and this many blocks before it after the probe (train/fineTune.ts); unset settings take FINE_TUNE_DEFAULTS. */
  readonly fineTune?: Partial<FineTuneSettings> & { readonly blocks: number };
  /** Called after every fine-tuning epoch with its losses and accuracies (live curves). */
  readonly onEpoch?: (record: EpochRecord, epochs: number) => void;
}

/** What fine-tuning did, for the result, the card and the log. */
export interface TrainFineTune {
  readonly settings: FineTuneSettings;
  /** The blocks trained with the head, nearest the head first. */
  readonly blocks: readonly string[];
  readonly parameters: number;
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
}

/** A scan that could not be used, with why. */
export interface TrainError {
  readonly file: string;
  readonly error: string;
}

export interface SplitMetrics {
  readonly images: number;
  readonly accuracy: number;
  /** Mean negative log-likelihood of the true class. */
  readonly nll: number;
  readonly perClass: Record<string, number>;
  readonly confusion: ClassificationMetrics['confusion'];
}

/** Conformal prediction sets calibrated on the validation scans (their probabilities with the fitted temperature). */
export interface TrainConformal {
  readonly alpha: number;
  readonly threshold: number;
  readonly scans: number;
  /** On the validation scans themselves. */
  readonly meanSetSize: number;
}

/** Temperature scaling fitted on the validation scans, with their calibration before and after (the after figures are on the scans it was fitted on). */
export interface TrainCalibration {
  readonly temperature: number;
  readonly before: Omit<Calibration, 'bins'>;
  readonly after: Calibration;
}

export interface TrainResult {
  readonly modelPath: string;
  readonly manifestPath: string;
  readonly cardPath: string;
  readonly logPath: string;
  /** MODEL_CARD.md's text. */
  readonly card: string;
  readonly labels: readonly string[];
  readonly embedding: string;
  /** The fitted probe, on raw embeddings: what the new model's last layer computes (before fine-tuning, when it ran). */
  readonly head: LinearHead;
  /** Fine-tuning's settings and curves; absent for a linear probe. */
  readonly fineTune?: TrainFineTune;
  readonly strength: StrengthChoice;
  readonly train: SplitMetrics;
  readonly validation: SplitMetrics;
  /** The temperature scaling fitted, or why none was. */
  readonly calibration: TrainCalibration | string;
  /** The conformal prediction sets calibrated, or why none were; absent when none were asked for. */
  readonly conformal?: TrainConformal | string;
  readonly errors: readonly TrainError[];
}

const collator = new Intl.Collator(undefined, { numeric: true });
/** How fine-tuning's progress stages begin: '… epochs' after each epoch (onEpoch says more), '… epoch k of at most n, batches' within one. */
export const FINE_TUNING = 'fine-tuning:';
const VALIDATION_FRACTION = 0.2;
/** Fewer validation scans than this fit a temperature to noise (with no mistakes among them, T runs to its bound). */
export const MIN_CALIBRATION_SCANS = 30;

/** Fine-tuning's settings with defaults filled in, each checked: one line naming the bad one. */
function fineTuneSettings(asked: Partial<FineTuneSettings> & { readonly blocks: number }, file: string): FineTuneSettings {
  const settings = { ...FINE_TUNE_DEFAULTS, ...asked };
  const whole = (name: string, value: number, min: number): void => {
    if (!Number.isInteger(value) || value < min) throw new ScanLensError(`${name} must be a whole number of at least ${min}, got ${value}`, file);
  };
  whole('--finetune-blocks', settings.blocks, 1);
  whole('--epochs', settings.epochs, 1);
  whole('--batch-size', settings.batchSize, 1);
  whole('--patience', settings.patience, 1);
  if (!(settings.learningRate > 0 && settings.learningRate < 1)) throw new ScanLensError(`--learning-rate must lie between 0 and 1, got ${settings.learningRate}`, file);
  if (!(settings.weightDecay >= 0 && settings.weightDecay < 1)) throw new ScanLensError(`--weight-decay must lie in [0, 1), got ${settings.weightDecay}`, file);
  return settings;
}

/** A CSV's files must lie in its folder (links followed): a shared label file cannot make training read elsewhere. */
async function checkInside(items: readonly LabelledScan[], labelled: string): Promise<void> {
  const folder = await realPathOf(dirname(labelled));
  for (const item of items) {
    const real = await realPathOf(item.file).catch(() => item.file);
    if (!isInside(folder, real)) throw new ScanLensError(`names ${item.file}, outside its folder; a label file may name only scans beside it or below it`, labelled);
  }
}

async function labelledScans(path: string, admit: TrainOptions['admit']): Promise<LabelledScan[]> {
  const items = await readLabelledScans(path, path);
  if (!(await stat(path)).isDirectory()) await checkInside(items, path);
  if (admit) for (const item of items) await admit(item.file);
  return items;
}

/** One embedding per scan (the head's input), or an error row; progress per scan. */
async function embed(
  model: LoadedModel,
  head: HeadLayer,
  items: readonly LabelledScan[],
  classes: readonly string[],
  options: TrainOptions,
  stage: string,
  errors: TrainError[],
  inputs?: Float32Array[],
) {
  const session = await featureSession(model, [head.embedding]);
  const { layout, channels, size } = imageInput(model.manifest, 'train');
  const dims = layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels];
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (const [i, item] of items.entries()) {
    if (options.signal?.aborted) break;
    try {
      const input = await prepareSlice(item.file, model.manifest);
      const result = await session.run({ [model.inputName]: new (ort().Tensor)('float32', input.data, dims) }, [head.embedding]);
      const data = result[head.embedding]!.data as Float32Array;
      if (data.length !== head.dimensions) throw new ScanLensError(`the embedding has ${data.length} values; the head expects ${head.dimensions}`, item.file);
      if (!data.every(Number.isFinite)) throw new ScanLensError('the embedding holds NaN or infinite values', item.file);
      rows.push(Float32Array.from(data));
      labels.push(classes.indexOf(item.label));
      inputs?.push(Float32Array.from(input.data));
    } catch (error) {
      errors.push({ file: item.file, error: error instanceof ScanLensError ? error.message : `${item.file}: ${oneLine(error)}` });
    }
    options.onProgress?.(i + 1, items.length, stage);
  }
  const features = new Float32Array(rows.length * head.dimensions);
  rows.forEach((row, i) => features.set(row, i * head.dimensions));
  return { features, dimensions: head.dimensions, labels: Int32Array.from(labels), classes: classes.length } satisfies LabelledFeatures;
}

function metricsOf(data: LabelledFeatures, logP: Float64Array, labels: readonly string[]): SplitMetrics {
  const truth = [...data.labels];
  const predicted = truth.map((_, i) => {
    const row = logP.subarray(i * data.classes, (i + 1) * data.classes);
    return row.indexOf(Math.max(...row));
  });
  const nll = truth.reduce((sum, label, i) => sum - logP[i * data.classes + label]!, 0) / Math.max(1, truth.length);
  const metrics = classificationMetrics(labels, truth, predicted);
  return {
    images: truth.length,
    accuracy: metrics.accuracy,
    nll,
    perClass: Object.fromEntries(labels.map((label, c) => [label, truth.filter((t) => t === c).length])),
    confusion: metrics.confusion,
  };
}

/**
 * Temperature scaling on the validation rows (log-probabilities serve as
 * logits: softmax ignores a shift per row), or why not: too few rows, or no
 * mistakes among them (then the NLL only falls as T → 0, and a "fitted"
 * temperature would push every probability to 0 or 1).
 */
function calibrate(logP: Float64Array, validation: LabelledFeatures): TrainCalibration | string {
  if (validation.labels.length < MIN_CALIBRATION_SCANS) return `fewer than ${MIN_CALIBRATION_SCANS} validation scans`;
  const { classes } = validation;
  const rows = (t: number): number[][] => [...validation.labels.keys()].map((i) => scaledSoftmax(logP.subarray(i * classes, (i + 1) * classes), t));
  const truth = [...validation.labels];
  const mistaken = rows(1).some((row, i) => row.indexOf(Math.max(...row)) !== truth[i]);
  if (!mistaken) return 'the probe makes no mistake on the validation scans, so no temperature is fitted (it would only push probabilities to 0 or 1)';
  const temperature = fitTemperature(logP, validation.labels, classes);
  const { bins: _bins, ...before } = calibration(rows(1), truth);
  return { temperature, before, after: calibration(rows(temperature), truth) };
}

/**
 * APS prediction sets (train/conformal.ts) calibrated on the validation rows
 * with the temperature fitted on them (1 without one), or why not: too few
 * rows for the alpha asked (the threshold would be 1, every class).
 */
function conformalSets(logP: Float64Array, validation: LabelledFeatures, temperature: number, alpha: number): TrainConformal | string {
  const n = validation.labels.length;
  const needed = Math.ceil((1 - alpha) / alpha);
  if (Math.ceil((n + 1) * (1 - alpha)) > n) return `${n} validation scans are too few for alpha ${alpha} (at least ${needed} are needed)`;
  const { classes } = validation;
  const rows = [...validation.labels.keys()].map((i) => scaledSoftmax(logP.subarray(i * classes, (i + 1) * classes), temperature));
  const threshold = apsThreshold(
    rows.map((row, i) => apsScore(row, validation.labels[i]!)),
    alpha,
  );
  const meanSetSize = rows.reduce((sum, row) => sum + apsSet(row, threshold).length, 0) / n;
  return { alpha, threshold, scans: n, meanSetSize };
}

/**
 * Trains a linear probe on a backbone: the embedding is the input of the
 * backbone's last linear layer; a class-balanced multinomial logistic
 * regression is fitted on it (L2 strength by stratified cross-validation),
 * and spliced into the backbone in place of its head. Writes the new
 * model, its manifest, a model card and a training log to `out`; the same
 * data and seed give the same bytes.
 */
export async function trainJob(backbone: LoadedModel, options: TrainOptions): Promise<TrainResult> {
  imageInput(backbone.manifest, 'train', backbone.manifestPath ?? backbone.onnxPath);
  const seed = options.seed ?? 0;
  if (options.conformalAlpha !== undefined && !(options.conformalAlpha > 0 && options.conformalAlpha < 1)) {
    throw new ScanLensError(`conformal alpha ${options.conformalAlpha} must lie strictly between 0 and 1`, options.labelled);
  }
  const bytes = await verifiedModelBytes(backbone);
  const proto = decodeModel(bytes, backbone.onnxPath);
  const head = findHead(proto.graph, backbone.onnxPath);
  const items = await labelledScans(options.labelled, options.admit);
  const classes = [...new Set(items.map((i) => i.label))].sort(collator.compare);
  for (const label of classes) {
    const count = items.filter((i) => i.label === label).length;
    if (count < 2) throw new ScanLensError(`class '${label}' has ${count} scan; each class needs at least 2`, options.labelled);
  }
  if (classes.length < 2) throw new ScanLensError(`only one class ('${classes[0]}'); a classifier needs at least 2`, options.labelled);
  const settings = options.fineTune ? fineTuneSettings(options.fineTune, options.labelled) : undefined;
  if (settings) lastBlocks(proto.graph, head, settings.blocks, backbone.onnxPath);
  const errors: TrainError[] = [];
  const allInputs: Float32Array[] | undefined = settings ? [] : undefined;
  const valInputs: Float32Array[] | undefined = settings ? [] : undefined;
  const all = await embed(backbone, head, items, classes, options, 'embedding training scans', errors, allInputs);
  let train: LabelledFeatures = all;
  let validation: LabelledFeatures;
  let trainRows = [...all.labels.keys()];
  if (options.validation) {
    const valItems = (await labelledScans(options.validation, options.admit)).filter((item) => {
      if (classes.includes(item.label)) return true;
      errors.push({ file: item.file, error: `${item.file}: label '${item.label}' is not a training class (${classes.join(', ')})` });
      return false;
    });
    validation = await embed(backbone, head, valItems, classes, options, 'embedding validation scans', errors, valInputs);
  } else {
    const { train: rows, held } = stratifiedHoldOut(all.labels, all.classes, VALIDATION_FRACTION, seed);
    train = subset(all, rows);
    validation = subset(all, held);
    trainRows = rows;
    if (allInputs) valInputs!.push(...held.map((row) => allInputs[row]!));
  }
  if (options.signal?.aborted) throw new ScanLensError('training cancelled; nothing was written', options.out);
  options.onProgress?.(0, 1, 'fitting the probe');
  const strength = await chooseStrength(train, seed);
  const { head: fitted } = await fitSoftmax(train, strength.strength);
  options.onProgress?.(1, 1, 'fitting the probe');
  let trainLogP = logProbabilities(fitted, train.features);
  let validationLogP = logProbabilities(fitted, validation.features);
  let newModel = spliceHead(proto, head, fitted);
  let fineTuned: TrainFineTune | undefined;
  if (settings) {
    if (validation.labels.length === 0)
      throw new ScanLensError('no validation scans could be read; fine-tuning stops on the validation loss, so it needs some', options.validation ?? options.labelled);
    const { layout, channels, size } = imageInput(backbone.manifest, 'train');
    const outcome = await fineTune({
      model: newModel,
      head: findHead(newModel.graph, backbone.onnxPath),
      inputName: backbone.inputName,
      geometry: { layout, channels, height: size.height, width: size.width },
      train: { inputs: trainRows.map((row) => allInputs![row]!), labels: train.labels },
      validation: { inputs: valInputs!, labels: validation.labels },
      classes: classes.length,
      settings,
      seed,
      threads: backbone.threads,
      file: backbone.onnxPath,
      ...(options.signal ? { signal: options.signal } : {}),
      onBatch: (epoch, done, total) => options.onProgress?.(done, total, `${FINE_TUNING} epoch ${epoch} of at most ${settings.epochs}, batches`),
      onEpoch: (record, epochs) => {
        options.onProgress?.(record.epoch, epochs, `${FINE_TUNING} epochs`);
        options.onEpoch?.(record, epochs);
      },
    });
    newModel = outcome.model;
    trainLogP = outcome.trainLogP;
    validationLogP = outcome.validationLogP;
    fineTuned = { settings, blocks: outcome.blocks, parameters: outcome.parameterCount, history: outcome.history, bestEpoch: outcome.bestEpoch, stoppedEarly: outcome.stoppedEarly };
  }
  const trainMetrics = metricsOf(train, trainLogP, classes);
  const validationMetrics = metricsOf(validation, validationLogP, classes);
  const calibrationOutcome = calibrate(validationLogP, validation);
  const calibrated = typeof calibrationOutcome === 'string' ? undefined : calibrationOutcome;
  const conformal = options.conformalAlpha === undefined ? undefined : conformalSets(validationLogP, validation, calibrated?.temperature ?? 1, options.conformalAlpha);
  const sets = conformal !== undefined && typeof conformal !== 'string' ? conformal : undefined;

  const card = trainingCard({
    backbone,
    classes,
    strength,
    train: trainMetrics,
    validation: validationMetrics,
    calibration: calibrationOutcome,
    conformal,
    seed,
    ...(fineTuned ? { fineTune: fineTuned } : {}),
    errors: errors.length,
    validationFrom: options.validation ? `from ${options.validation}` : `a seeded, stratified ${VALIDATION_FRACTION * 100} % held out of the training scans`,
  });
  const modelBytes = encodeModel(newModel);
  const sha256 = createHash('sha256').update(modelBytes).digest('hex');
  const base = backbone.manifest;
  const manifest: Manifest = {
    ...base,
    name: `${base.name}-${fineTuned ? 'finetuned' : 'probe'}`,
    version: '1.0.0',
    file: 'model.onnx',
    sha256,
    labels: classes,
    output: {
      ...base.output,
      ...(calibrated ? { temperature: calibrated.temperature } : {}),
      ...(sets ? { conformal: { method: 'aps' as const, alpha: sets.alpha, threshold: sets.threshold, scans: sets.scans } } : {}),
    },
    card: card.card,
  };
  delete (manifest as { anomaly?: unknown }).anomaly;
  const paths = { model: join(options.out, 'model.onnx'), manifest: join(options.out, 'model.json'), card: join(options.out, 'MODEL_CARD.md'), log: join(options.out, 'training-log.json') };
  const log = {
    backbone: { name: base.name, sha256: backbone.sha256 },
    embedding: head.embedding,
    seed,
    classes,
    strength,
    ...(fineTuned ? { fineTune: fineTuned } : {}),
    train: trainMetrics,
    validation: validationMetrics,
    calibration: calibrationOutcome,
    ...(conformal !== undefined ? { conformal } : {}),
    errors,
  };
  if (!options.dryRun) {
    await mkdir(options.out, { recursive: true });
    await writeFileAtomic(paths.model, modelBytes);
    await writeFileAtomic(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFileAtomic(paths.card, card.markdown);
    await writeFileAtomic(paths.log, `${JSON.stringify(log, null, 2)}\n`);
  }
  return {
    modelPath: paths.model,
    manifestPath: paths.manifest,
    cardPath: paths.card,
    logPath: paths.log,
    card: card.markdown,
    labels: classes,
    embedding: head.embedding,
    head: fitted,
    ...(fineTuned ? { fineTune: fineTuned } : {}),
    strength,
    train: trainMetrics,
    validation: validationMetrics,
    calibration: calibrationOutcome,
    ...(conformal !== undefined ? { conformal } : {}),
    errors,
  };
}
