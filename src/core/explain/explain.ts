import { ScanLensError, oneLine } from '../errors';
import { looksLikeProbabilities, softmax } from '../model/softmax';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import { ort } from '../native/ort';
import { CLASS_INPUT, GRADIENT_OUTPUT } from './backwardGraph';
import { activationSession, gradientSession, inputTensor, resolveTargetLayer, type SessionOptions } from './explainSessions';
import { toFeatureMaps } from './featureMaps';
import type { CamMethodName } from '../vocabulary/camMethods';
import { augmentationSmoothing } from './methods/augSmooth';
import { checkEigenSmooth, eigenSmoothMap } from './methods/eigenSmooth';
import { CAM_REGISTRY } from './methods/registry';
import type { TargetLayer } from './targetLayer';

export interface ExplainOptions extends SessionOptions {
  readonly method: CamMethodName;
  /** Class to explain; the top class when omitted. */
  readonly classIndex?: number;
  /** Target tensor; else the manifest's, else chosen automatically. */
  readonly layer?: string;
  /** pytorch-grad-cam's eigen_smooth: a gradient method's terms projected on their first principal component instead of summed (methods/eigenSmooth.ts). */
  readonly eigenSmooth?: boolean;
  /** pytorch-grad-cam's aug_smooth: the mean map of six flipped and scaled inputs, at the model's input resolution (methods/augSmooth.ts). */
  readonly augSmooth?: boolean;
}

export interface RawMap {
  readonly width: number;
  readonly height: number;
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

function probabilitiesOf(model: LoadedModel, output: Float32Array): number[] {
  const given = model.manifest.output.type === 'probabilities' || (model.outputTypeGuessed && looksLikeProbabilities(output));
  return given ? Array.from(output) : softmax(output);
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

async function run(session: Awaited<ReturnType<typeof gradientSession>>, feeds: Record<string, unknown>, file: string): Promise<Record<string, { data: unknown; dims: readonly number[] }>> {
  try {
    return await session.run(feeds as never);
  } catch (error) {
    throw new ScanLensError(`inference failed (${oneLine(error)})`, file);
  }
}

/**
 * Explains one prepared model input (batch item data, as prepareInput gives
 * it) with the method the registry (methods/registry.ts) names: gradient
 * methods cost one run of the derived model (forward and backward together);
 * activation methods one run of a model exposing the target layer (Score-CAM
 * then one run per channel); input methods (occlusion) one run per patch.
 */
export async function explainInput(model: LoadedModel, input: Float32Array, options: ExplainOptions): Promise<Explanation> {
  checkClass(model, options.classIndex);
  const notes: string[] = [];
  const method = CAM_REGISTRY[options.method];
  const eigenNote = options.eigenSmooth ? checkEigenSmooth(options.method, method) : undefined;
  if (options.augSmooth) return augmentationSmoothing(model, input, options, explainInput);
  if (eigenNote) notes.push(eigenNote);
  if (method.needs === 'input') {
    const [output] = await runModel(model, [input]);
    const probabilities = probabilitiesOf(model, output!);
    const classIndex = options.classIndex ?? argmax(probabilities);
    const map = await method.map({ model, input, classIndex, score: output![classIndex]! });
    return { method: options.method, classIndex, probabilities, map, notes };
  }
  const layer = await resolveTargetLayer(model, options.layer);
  const feeds: Record<string, unknown> = { [model.inputName]: inputTensor(model, input) };
  let results;
  if (method.needs === 'gradients') {
    const session = await gradientSession(model, layer.tensor, options);
    feeds[CLASS_INPUT] = new (ort().Tensor)('int64', BigInt64Array.from([BigInt(options.classIndex ?? -1)]), [1]);
    results = await run(session, feeds, model.onnxPath);
  } else {
    results = await run(await activationSession(model, layer.tensor, options), feeds, model.onnxPath);
  }
  const output = results[model.outputName]!.data as Float32Array;
  const probabilities = probabilitiesOf(model, output);
  const classIndex = options.classIndex ?? argmax(output);
  const actTensor = results[layer.tensor]!;
  const act = toFeatureMaps(actTensor.data as Float32Array, actTensor.dims, layer.tensor);
  if (act.tokens) notes.push(`transformer tokens of '${layer.tensor}' reshaped to a ${act.height}×${act.width} patch grid`);
  let data: Float32Array;
  if (method.needs === 'gradients') {
    const gradTensor = results[GRADIENT_OUTPUT]!;
    const grad = toFeatureMaps(gradTensor.data as Float32Array, gradTensor.dims, layer.tensor);
    data = options.eigenSmooth ? eigenSmoothMap(method, act, grad) : method.map(act, grad);
  } else {
    data = await method.map(act, { model, input, classIndex, score: output[classIndex]! });
  }
  return { method: options.method, classIndex, probabilities, layer, map: { width: act.width, height: act.height, data }, notes };
}
