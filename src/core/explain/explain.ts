import { ScanLensError, oneLine } from '../errors';
import { looksLikeProbabilities, scaledSoftmax } from '../model/softmax';
import { inputDims } from '../model/checkManifest';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ort } from '../native/ort';
import { CLASS_INPUT, GRADIENT_OUTPUT, gradientOutput } from './backwardGraph';
import {
  activationSession,
  fullGradSession,
  gradientSession,
  inputTensor,
  parameterInputActivationSession,
  parameterInputGradientSession,
  parameterInputModelSession,
  resolveTargetLayer,
  tailSession,
  tailSides,
  type SessionOptions,
} from './explainSessions';
import { checkCancelled, perturbations, type Perturbations, type RunControl } from './perturbations';
import { toFeatureMaps } from './featureMaps';
import type { CamMethodName } from '../vocabulary/camMethods';
import { augmentationSmoothing } from './methods/augSmooth';
import { checkEigenSmooth, eigenSmoothMap } from './methods/eigenSmooth';
import { CAM_REGISTRY } from './methods/registry';
import type { TargetLayer } from './targetLayer';

export interface ExplainOptions extends SessionOptions, RunControl {
  readonly method: CamMethodName;
  /** Class to explain; the top class when omitted. */
  readonly classIndex?: number;
  /** Target tensor; else the manifest's, else chosen automatically. */
  readonly layer?: string;
  /** pytorch-grad-cam's eigen_smooth: a gradient method's terms projected on their first principal component instead of summed (methods/eigenSmooth.ts). */
  readonly eigenSmooth?: boolean;
  /** pytorch-grad-cam's aug_smooth: the mean map of six flipped and scaled inputs, at the model's input resolution (methods/augSmooth.ts). */
  readonly augSmooth?: boolean;
  /** Every parameterised layer's weights, fed in place of the model's own initializers (the scorecard's randomisation check, scorecard/randomisationCheck.ts); not for AblationCAM or FullGrad. */
  readonly parameters?: Readonly<Record<string, Tensor>>;
}

export interface RawMap {
  readonly width: number;
  readonly height: number;
  /** A 3D model's map only: D×H×W, depth slowest, as the target layer's [1,C,D,H,W]. */
  readonly depth?: number;
  readonly data: Float32Array;
}

export interface Explanation {
  readonly method: CamMethodName;
  readonly classIndex: number;
  readonly probabilities: number[];
  /** Undefined for occlusion, which needs no layer. */
  readonly layer?: TargetLayer;
  /** The map at the target layer's resolution, after the method's ReLU, before upsampling and normalisation. */
  readonly map: RawMap;
  readonly notes: string[];
}

/** Class probabilities from one output row: as given when the model outputs probabilities, else the (temperature-scaled) softmax. */
export function probabilitiesOf(model: LoadedModel, output: Float32Array): number[] {
  const given = model.manifest.output.type === 'probabilities' || (model.outputTypeGuessed && looksLikeProbabilities(output));
  return given ? Array.from(output) : scaledSoftmax(output, model.manifest.output.temperature);
}

function checkClass(model: LoadedModel, index: number | undefined): void {
  const count = model.manifest.labels.length;
  if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= count)) {
    throw new ScanLensError(`class index ${index} is out of range: the model has ${count} classes (0…${count - 1})`);
  }
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

async function run(session: Awaited<ReturnType<typeof gradientSession>>, feeds: Record<string, unknown>, file: string): Promise<Results> {
  try {
    return await session.run(feeds as never);
  } catch (error) {
    throw new ScanLensError(`inference failed (${oneLine(error)})`, file);
  }
}

/** The whole model as runs of it go: the loaded session, or with `parameters` the model taking its weights as inputs, fed them. */
interface WholeModel {
  readonly session: InferenceSession;
  readonly fixed?: Readonly<Record<string, Tensor>>;
}

async function wholeModel(model: LoadedModel, options: ExplainOptions): Promise<WholeModel> {
  return options.parameters ? { session: await parameterInputModelSession(model, options), fixed: options.parameters } : { session: model.session };
}

/** Edited copies of the model input through the whole model; `scoreOf` as perturbations() takes it. */
export function inputPerturbations(
  model: LoadedModel,
  classIndex: number,
  control: RunControl,
  scoreOf?: (row: Float32Array) => number,
  whole: WholeModel = { session: model.session },
): Perturbations {
  const dims = inputDims(model.manifest.input, 1);
  return perturbations({ ...whole, input: model.inputName, dims, output: model.outputName, batchable: model.batchable, file: model.onnxPath }, classIndex, control, scoreOf);
}

type Results = Record<string, { data: unknown; dims: readonly number[] }>;

/** Edited copies of the target layer's activations through the model after it; the side tensors it reads come from `results`, the same for every copy. */
async function layerPerturbations(model: LoadedModel, target: string, sides: readonly string[], results: Results, classIndex: number, options: ExplainOptions): Promise<Perturbations> {
  const extra: Record<string, Tensor> = {};
  const types: Record<string, string> = {};
  // A side tensor that is not a float32 batch-1 activation (a shape computed from the input, say) may fix the batch: one copy per run then.
  let batchable = model.batchable;
  for (const name of sides) {
    const tensor = results[name] as Tensor;
    if (tensor.type !== 'float32' || tensor.dims[0] !== 1) batchable = false;
    extra[name] = tensor;
    types[name] = tensor.type;
  }
  const session = await tailSession(model, target, types, options);
  const dims = results[target]!.dims;
  return perturbations({ session, input: target, dims, output: model.outputName, extra, batchable, file: model.onnxPath }, classIndex, options);
}

/** The methods a 3D model's map comes from: those at a target layer; the ones that edit or smooth the input image by image are refused in one line. */
export function checkVolumeMethod(options: Pick<ExplainOptions, 'method' | 'augSmooth' | 'parameters'>): void {
  const refused = options.method === 'occlusion' || options.method === 'fullgrad';
  if (refused) throw new ScanLensError(`${options.method} does not explain 3D models (NCDHW) yet; use gradcam, gradcam++, hirescam, xgradcam, layercam, eigencam, scorecam or ablationcam`);
  if (options.augSmooth) throw new ScanLensError('aug_smooth does not apply to 3D models (NCDHW): its flips and scales are defined on 2D images');
  if (options.parameters) throw new ScanLensError('the scorecard does not score 3D explanations yet');
}

/**
 * Explains one prepared model input (batch item data, as prepareInput gives
 * it) with the method the registry (methods/registry.ts) names: gradient
 * methods cost one run of the derived model (forward and backward together);
 * activation methods one run of a model exposing the target layer (Score-CAM
 * then one run per varying channel, AblationCAM one run of the model after
 * the target layer per channel); input methods (occlusion) one run per patch.
 * Those runs go in batches, report `onProgress` and stop on `signal`
 * (ExplainCancelled).
 */
export async function explainInput(model: LoadedModel, input: Float32Array, options: ExplainOptions): Promise<Explanation> {
  checkClass(model, options.classIndex);
  const volume = model.manifest.input.layout === 'NCDHW';
  if (volume) checkVolumeMethod(options);
  const notes: string[] = [];
  const method = CAM_REGISTRY[options.method];
  const eigenNote = options.eigenSmooth ? checkEigenSmooth(options.method, method) : undefined;
  if (options.augSmooth) return augmentationSmoothing(model, input, options, explainInput);
  if (eigenNote) notes.push(eigenNote);
  checkCancelled(options.signal);
  if (options.parameters && (method.needs === 'layer' || method.needs === 'biasGradients')) throw new Error(`weights cannot be fed to ${options.method}`);
  if (method.needs === 'input') {
    const whole = await wholeModel(model, options);
    const output = options.parameters
      ? ((await run(whole.session, { [model.inputName]: inputTensor(model, input), ...whole.fixed }, model.onnxPath))[model.outputName]!.data as Float32Array)
      : (await runModel(model, [input]))[0]!;
    const probabilities = probabilitiesOf(model, output);
    const classIndex = options.classIndex ?? argmax(probabilities);
    const map = await method.map({ model, input, classIndex, score: output[classIndex]!, inputs: inputPerturbations(model, classIndex, options, undefined, whole) });
    return { method: options.method, classIndex, probabilities, map, notes };
  }
  const classFeed = (): Tensor => new (ort().Tensor)('int64', BigInt64Array.from([BigInt(options.classIndex ?? -1)]), [1]);
  if (method.needs === 'biasGradients') {
    const { session, layers } = await fullGradSession(model, options);
    const results = await run(session, { [model.inputName]: inputTensor(model, input), [CLASS_INPUT]: classFeed() }, model.onnxPath);
    const output = results[model.outputName]!.data as Float32Array;
    const probabilities = probabilitiesOf(model, output);
    const classIndex = options.classIndex ?? argmax(output);
    const gradients = layers.map((l, i) => ({ bias: l.bias, gradient: results[gradientOutput(i)] as { data: Float32Array; dims: readonly number[] } }));
    notes.push(`FullGrad over the input and ${gradients.filter((g) => g.gradient.dims.length === 4).length} bias layer(s)`);
    const map = method.map({ model, input, inputGradient: results[GRADIENT_OUTPUT]!.data as Float32Array, layers: gradients });
    return { method: options.method, classIndex, probabilities, map, notes };
  }
  const layer = await resolveTargetLayer(model, options.layer);
  const feeds: Record<string, unknown> = { [model.inputName]: inputTensor(model, input) };
  let results;
  if (method.needs === 'gradients') {
    const session = options.parameters ? await parameterInputGradientSession(model, layer.tensor, options) : await gradientSession(model, layer.tensor, options);
    Object.assign(feeds, options.parameters);
    feeds[CLASS_INPUT] = classFeed();
    results = await run(session, feeds, model.onnxPath);
  } else {
    const extra = method.needs === 'layer' ? await tailSides(model, layer.tensor) : [];
    const session = options.parameters ? await parameterInputActivationSession(model, layer.tensor, options) : await activationSession(model, layer.tensor, options, extra);
    results = await run(session, { ...feeds, ...options.parameters }, model.onnxPath);
  }
  const output = results[model.outputName]!.data as Float32Array;
  const probabilities = probabilitiesOf(model, output);
  const classIndex = options.classIndex ?? argmax(output);
  const actTensor = results[layer.tensor]!;
  if (volume && actTensor.dims.length !== 5) {
    throw new ScanLensError(`tensor '${layer.tensor}' has shape [${actTensor.dims.join(', ')}]; a 3D model is explained at a [1,C,D,H,W] feature map`);
  }
  const act = toFeatureMaps(actTensor.data as Float32Array, actTensor.dims, layer.tensor);
  if (act.tokens) notes.push(`transformer tokens of '${layer.tensor}' reshaped to a ${act.height}×${act.width} patch grid`);
  let data: Float32Array;
  if (method.needs === 'gradients') {
    const gradTensor = results[GRADIENT_OUTPUT]!;
    const grad = toFeatureMaps(gradTensor.data as Float32Array, gradTensor.dims, layer.tensor);
    data = options.eigenSmooth ? eigenSmoothMap(method, act, grad) : method.map(act, grad);
  } else {
    const inputs = inputPerturbations(model, classIndex, options, undefined, await wholeModel(model, options));
    const context = { model, input, classIndex, score: output[classIndex]!, inputs };
    if (method.needs === 'layer') {
      const sides = await tailSides(model, layer.tensor);
      const layerRuns = await layerPerturbations(model, layer.tensor, sides, results, classIndex, options);
      data = await method.map(act, { ...context, raw: { data: actTensor.data as Float32Array, dims: actTensor.dims }, layer: layerRuns });
    } else data = await method.map(act, context);
  }
  const map = volume ? { width: act.width, height: act.height, depth: act.depth, data } : { width: act.width, height: act.height, data };
  return { method: options.method, classIndex, probabilities, layer, map, notes };
}
