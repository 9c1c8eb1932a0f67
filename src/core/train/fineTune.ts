import { random } from '../explain/seededRandom';
import { ScanLensError } from '../errors';
import { initializerValues } from '../explain/scorecard/parameterLayers';
import { encodeModel } from '../onnx/modelProto';
import type { GraphProto, ModelProto } from '../onnx/onnxSchema';
import { floatTensor, tensorDims } from '../onnx/tensorData';
import { AdamW } from './adamw';
import { augment, type InputGeometry } from './augment';
import { lastBlocks } from './fineTuneBlocks';
import type { HeadLayer } from './headGraph';
import { balancedWeights } from './softmaxRegression';
import { TrainingSession, type StepResult, type TrainedParameter } from './trainingSession';

/** Fine-tuning's hyper-parameters (scanlens train --finetune-blocks and its companions). */
export interface FineTuneSettings {
  /** Blocks before the head trained with it (fineTuneBlocks.ts). */
  readonly blocks: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly weightDecay: number;
  /** Epochs without a lower validation loss before training stops. */
  readonly patience: number;
}

export const FINE_TUNE_DEFAULTS: Omit<FineTuneSettings, 'blocks'> = { epochs: 20, batchSize: 16, learningRate: 1e-4, weightDecay: 0.01, patience: 3 };

/** Preprocessed inputs with their class indices. */
export interface LabelledInputs {
  readonly inputs: readonly Float32Array[];
  readonly labels: Int32Array;
}

export interface EpochRecord {
  /** 0 is the probe before any step (its training figures on the unaugmented scans). */
  readonly epoch: number;
  /** Class-balanced cross-entropy on the augmented training batches, as trained on. */
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  /** Class-balanced cross-entropy on the validation scans, unaugmented. */
  readonly validationLoss: number;
  readonly validationAccuracy: number;
}

export interface FineTuneRequest {
  /** The backbone with the probe's head spliced in: fine-tuning starts from it. */
  readonly model: ModelProto & { graph: GraphProto };
  readonly head: HeadLayer;
  readonly inputName: string;
  readonly geometry: InputGeometry;
  readonly train: LabelledInputs;
  readonly validation: LabelledInputs;
  readonly classes: number;
  readonly settings: FineTuneSettings;
  readonly seed: number;
  readonly threads: number;
  readonly file: string;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (record: EpochRecord, epochs: number) => void;
  /** Progress within an epoch, in training batches. */
  readonly onBatch?: (epoch: number, done: number, total: number) => void;
}

export interface FineTuneResult {
  /** The model with the best epoch's weights as its initializers. */
  readonly model: ModelProto & { graph: GraphProto };
  readonly blocks: readonly string[];
  readonly parameters: readonly TrainedParameter[];
  readonly parameterCount: number;
  readonly history: readonly EpochRecord[];
  /** The epoch whose weights were kept (lowest validation loss); 0 when no epoch beat the probe. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Log-probabilities (rows × classes) of the kept weights on the unaugmented scans. */
  readonly trainLogP: Float64Array;
  readonly validationLogP: Float64Array;
}

export class FineTuneCancelled extends ScanLensError {}

const logSoftmaxRow = (logits: Float32Array, row: number, classes: number): Float64Array => {
  const z = logits.subarray(row * classes, (row + 1) * classes);
  const max = Math.max(...z);
  const log = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  return Float64Array.from(z, (v) => v - log);
};

/**
 * Runs `rows` (indices into `data`) through the training model in chunks of
 * its fixed batch, padded with weight-0 samples, each sample weighted by its
 * class weight over the rows' total: the summed loss and gradients are those
 * of the whole set, and every row's log-probabilities come back.
 */
async function pass(
  session: TrainingSession,
  data: LabelledInputs,
  rows: readonly number[],
  classWeights: Float64Array,
  parameters: readonly Float32Array[],
  input: (row: number) => Float32Array,
  classes: number,
) {
  const total = rows.reduce((s, r) => s + classWeights[data.labels[r]!]!, 0);
  const size = data.inputs[0]!.length;
  let loss = 0;
  let gradients: Float64Array[] | undefined;
  const logP: Float64Array[] = [];
  for (let start = 0; start < rows.length; start += session.batch) {
    const chunk = rows.slice(start, start + session.batch);
    const images = new Float32Array(session.batch * size);
    chunk.forEach((row, i) => images.set(input(row), i * size));
    const labels = Array.from({ length: session.batch }, (_, i) => (i < chunk.length ? data.labels[chunk[i]!]! : 0));
    const weights = labels.map((label, i) => (i < chunk.length ? classWeights[label]! / total : 0));
    const step: StepResult = await session.run(images, labels, weights, parameters);
    loss += step.loss;
    gradients ??= step.gradients.map((g) => new Float64Array(g.length));
    step.gradients.forEach((g, p) => g.forEach((v, k) => (gradients![p]![k]! += v)));
    chunk.forEach((_, i) => logP.push(logSoftmaxRow(step.logits, i, classes)));
  }
  return { loss, gradients: gradients!, logP };
}

const accuracy = (logP: readonly Float64Array[], labels: ArrayLike<number>): number => logP.filter((row, i) => row.indexOf(Math.max(...row)) === labels[i]).length / Math.max(1, logP.length);

/** Seeded Fisher–Yates. */
function shuffled(n: number, next: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Fine-tunes the head and the last `blocks` blocks before it: AdamW on the
 * class-balanced cross-entropy of seeded, augmented mini-batches (augment.ts),
 * the order and augmentation drawn from one seeded stream; after every epoch
 * the validation scans' loss decides which weights are kept and stops
 * training after `patience` epochs without improvement; the probe itself
 * (epoch 0) is the first candidate, so the result is never worse on the
 * validation scans than what fine-tuning started from. BatchNormalization
 * keeps its stored statistics (inference form). Everything is in one
 * process and seeded, so the same data, seed and thread count give the same
 * weights.
 */
export async function fineTune(request: FineTuneRequest): Promise<FineTuneResult> {
  const { model, head, settings, train, validation, classes } = request;
  const graph = model.graph;
  const blocks = lastBlocks(graph, head, settings.blocks, request.file);
  const names = [head.weight, head.bias!, ...blocks.flatMap((b) => b.parameters)];
  const dims = new Map(graph.initializer.map((t) => [t.name ?? '', tensorDims(t)]));
  const parameters: TrainedParameter[] = names.map((name) => ({ name, dims: dims.get(name)! }));
  const values = names.map((name) => initializerValues(graph, name));
  const { layout, channels, height, width } = request.geometry;
  const batch = Math.min(settings.batchSize, train.labels.length);
  const inputDims = (n: number): number[] => (layout === 'NCHW' ? [n, channels, height, width] : [n, height, width, channels]);
  const bytes = encodeModel(model);
  const create = (n: number) => TrainingSession.create({ bytes, file: request.file, inputName: request.inputName, inputDims: inputDims(n), logits: head.logits, parameters, threads: request.threads });
  // A model whose graph fixes its batch at 1 (a Reshape to [1, …]) trains one scan at a time, gradients summed.
  const session = await create(batch).catch(() => create(1));
  const classWeights = balancedWeights(train.labels, classes);
  const optimiser = new AdamW(
    { learningRate: settings.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: settings.weightDecay },
    values.map((v) => v.length),
  );
  const next = random(request.seed);
  const geometry = request.geometry;
  const allTrain = [...train.labels.keys()];
  const allValidation = [...validation.labels.keys()];
  const history: EpochRecord[] = [];
  let stoppedEarly = false;
  try {
    // Epoch 0, the probe as it is: the weights to beat, so fine-tuning never returns a model with a higher validation loss than the probe it started from.
    const start = await pass(session, validation, allValidation, classWeights, values, (row) => validation.inputs[row]!, classes);
    const startTrain = await pass(session, train, allTrain, classWeights, values, (row) => train.inputs[row]!, classes);
    const probe: EpochRecord = {
      epoch: 0,
      trainLoss: startTrain.loss,
      trainAccuracy: accuracy(startTrain.logP, train.labels),
      validationLoss: start.loss,
      validationAccuracy: accuracy(start.logP, validation.labels),
    };
    history.push(probe);
    request.onEpoch?.(probe, settings.epochs);
    let best = { loss: start.loss, epoch: 0, values: values.map((v) => Float32Array.from(v)), logP: start.logP };
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const order = shuffled(train.labels.length, next);
      const batches = Math.ceil(order.length / batch);
      let lossSum = 0;
      let correct = 0;
      for (let k = 0; k < batches; k++) {
        if (request.signal?.aborted) throw new FineTuneCancelled('training cancelled; nothing was written', request.file);
        const rows = order.slice(k * batch, (k + 1) * batch);
        const augmented = new Map(rows.map((row) => [row, augment(train.inputs[row]!, geometry, next)]));
        const step = await pass(session, train, rows, classWeights, values, (row) => augmented.get(row)!, classes);
        optimiser.step(values, step.gradients);
        lossSum += step.loss * rows.length;
        correct +=
          accuracy(
            step.logP,
            Int32Array.from(rows, (r) => train.labels[r]!),
          ) * rows.length;
        request.onBatch?.(epoch, k + 1, batches);
      }
      const checked = await pass(session, validation, allValidation, classWeights, values, (row) => validation.inputs[row]!, classes);
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / order.length,
        trainAccuracy: correct / order.length,
        validationLoss: checked.loss,
        validationAccuracy: accuracy(checked.logP, validation.labels),
      };
      history.push(record);
      request.onEpoch?.(record, settings.epochs);
      if (checked.loss < best.loss) best = { loss: checked.loss, epoch, values: values.map((v) => Float32Array.from(v)), logP: checked.logP };
      else if (epoch - best.epoch >= settings.patience) {
        stoppedEarly = epoch < settings.epochs;
        break;
      }
    }
    const trained = best.epoch === 0 ? startTrain : await pass(session, train, allTrain, classWeights, best.values, (row) => train.inputs[row]!, classes);
    const flat = (rows: readonly Float64Array[]): Float64Array => {
      const out = new Float64Array(rows.length * classes);
      rows.forEach((row, i) => out.set(row, i * classes));
      return out;
    };
    const replaced = new Map(names.map((name, i) => [name, floatTensor(name, best.values[i]!, dims.get(name)!)]));
    return {
      model: { ...model, graph: { ...graph, initializer: graph.initializer.map((t) => replaced.get(t.name ?? '') ?? t) } },
      blocks: blocks.map((b) => b.name),
      parameters,
      parameterCount: values.reduce((s, v) => s + v.length, 0),
      history,
      bestEpoch: best.epoch,
      stoppedEarly,
      trainLogP: flat(trained.logP),
      validationLogP: flat(best.logP),
    };
  } finally {
    await session.release();
  }
}
