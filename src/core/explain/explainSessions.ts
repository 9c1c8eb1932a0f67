import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { inputDims } from '../model/checkManifest';
import type { LoadedModel } from '../model/loadModel';
import { ort } from '../native/ort';
import { derivedKey } from '../onnx/derivedCache';
import { DerivedSessions, type DerivedSessionOptions } from '../model/derivedSessions';
import { verifiedModelBytes } from '../model/modelBytes';
import { GraphBuilder } from '../onnx/graphBuilder';
import { GraphIndex } from '../onnx/graphIndex';
import { decodeModel, encodeModel } from '../onnx/modelProto';
import { initializersAsInputs } from '../onnx/initializerInputs';
import type { GraphProto } from '../onnx/onnxSchema';
import { SCANLENS_VERSION } from '../version';
import { biasLayers, type BiasLayer } from './biasLayers';
import { deriveGradientModel } from './deriveGradientModel';
import { layerTail, tailGraph } from './layerTail';
import { parameterLayers } from './scorecard/parameterLayers';
import { autoTargetLayer, checkTensorExists, type TargetLayer } from './targetLayer';

export type SessionOptions = DerivedSessionOptions;

export function inputTensor(model: LoadedModel, data: Float32Array, batch = 1): Tensor {
  return new (ort().Tensor)('float32', data, inputDims(model.manifest.input, batch));
}

const graphs = new Map<string, Promise<GraphProto>>();

/** The model's graph, decoded once per model from the vetted bytes. */
export async function modelGraph(model: LoadedModel): Promise<GraphProto> {
  let entry = graphs.get(model.sha256);
  if (!entry) {
    entry = verifiedModelBytes(model).then((bytes) => decodeModel(bytes, model.onnxPath).graph);
    graphs.set(model.sha256, entry);
    entry.catch(() => graphs.delete(model.sha256));
  }
  return entry;
}

const layers = new Map<string, Promise<TargetLayer>>();

/**
 * The target layer: --layer, else the manifest's explain.targetLayer, else
 * automatic. Found once per model and naming: every explanation (each slice
 * the viewer explains) asks again, and indexing the graph cost ~0.06 ms each time.
 */
export function resolveTargetLayer(model: LoadedModel, option: string | undefined): Promise<TargetLayer> {
  const key = JSON.stringify([model.sha256, option ?? null, model.manifest.explain?.targetLayer ?? null]);
  let entry = layers.get(key);
  if (!entry) {
    entry = findTargetLayer(model, option);
    layers.set(key, entry);
    entry.catch(() => layers.delete(key));
  }
  return entry;
}

async function findTargetLayer(model: LoadedModel, option: string | undefined): Promise<TargetLayer> {
  const graph = await modelGraph(model);
  const index = new GraphIndex(graph);
  const named = option ?? model.manifest.explain?.targetLayer;
  if (named) {
    try {
      checkTensorExists(graph, index, named);
    } catch (error) {
      throw new ScanLensError(oneLine(error), model.manifestPath ?? model.onnxPath);
    }
    return { tensor: named, source: option ? 'option' : 'manifest' };
  }
  try {
    return { tensor: autoTargetLayer(graph, index), source: 'automatic' };
  } catch (error) {
    throw new ScanLensError(oneLine(error), model.onnxPath);
  }
}

const sessions = new DerivedSessions('the derived model');

function cachedSession(model: LoadedModel, request: Record<string, unknown>, options: SessionOptions, build: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<InferenceSession> {
  return sessions.open(model, derivedKey(model.sha256, { ...request, scanlens: SCANLENS_VERSION, input: model.manifest.input.size }), options, build);
}

/** Logits, target activations and d logit[class] / d activations in one run. */
export function gradientSession(model: LoadedModel, target: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'gradient', target, logits: model.outputName }, options, (bytes) => {
    const feeds = { [model.inputName]: inputTensor(model, new Float32Array(inputSize(model))) };
    return deriveGradientModel(bytes, { target, logits: model.outputName, feeds, file: model.onnxPath });
  });
}

/**
 * A derived model's bytes with every parameterised layer's initializers
 * (scorecard/parameterLayers.ts, of the model's own graph) turned into graph
 * inputs, which every run then feeds (onnx/initializerInputs.ts): the
 * randomisation check re-initialises layer after layer this way without
 * deriving a model per step.
 */
async function withParameterInputs(model: LoadedModel, bytes: Uint8Array): Promise<Uint8Array> {
  const derived = decodeModel(bytes, model.onnxPath);
  const parameters = parameterLayers(await modelGraph(model)).flatMap((layer) => layer.tensors);
  initializersAsInputs(
    derived.graph,
    parameters.map((t) => t.name),
  );
  return encodeModel(derived);
}

/** gradientSession's model taking its weights as inputs (withParameterInputs). */
export function parameterInputGradientSession(model: LoadedModel, target: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'gradient-parameter-inputs', target, logits: model.outputName }, options, async (bytes) => {
    const feeds = { [model.inputName]: inputTensor(model, new Float32Array(inputSize(model))) };
    return withParameterInputs(model, await deriveGradientModel(bytes, { target, logits: model.outputName, feeds, file: model.onnxPath }));
  });
}

/** The model itself taking its weights as inputs (withParameterInputs): the randomisation check's runs of edited inputs. */
export function parameterInputModelSession(model: LoadedModel, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'model-parameter-inputs', logits: model.outputName }, options, (bytes) => withParameterInputs(model, bytes));
}

/** activationSession's model (no extra tensors) taking its weights as inputs (withParameterInputs). */
export function parameterInputActivationSession(model: LoadedModel, target: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'activations-parameter-inputs', target, logits: model.outputName }, options, async (bytes) =>
    withParameterInputs(model, activationBytes(model, bytes, target, [])),
  );
}

/**
 * FullGrad's model: logits, d logit[class] / d input and the gradient of every
 * bias layer's output (biasLayers.ts, in its order: gradientOutput(i)), in one run.
 */
export async function fullGradSession(model: LoadedModel, options: SessionOptions = {}): Promise<{ session: InferenceSession; layers: BiasLayer[] }> {
  const layers = await modelBiasLayers(model);
  const session = await cachedSession(model, { kind: 'fullgrad', logits: model.outputName }, options, (bytes) => {
    const feeds = { [model.inputName]: inputTensor(model, new Float32Array(inputSize(model))) };
    return deriveGradientModel(bytes, { target: model.inputName, logits: model.outputName, feeds, file: model.onnxPath, expose: layers.map((l) => l.output) });
  });
  return { session, layers };
}

const biases = new Map<string, Promise<BiasLayer[]>>();

/** FullGrad's bias layers of a model, found once per model: the viewer asks again for every slice. */
function modelBiasLayers(model: LoadedModel): Promise<BiasLayer[]> {
  const key = JSON.stringify([model.sha256, model.inputName, model.outputName]);
  let entry = biases.get(key);
  if (!entry) {
    entry = modelGraph(model).then((graph) => {
      try {
        return biasLayers(graph, model.inputName, model.outputName);
      } catch (error) {
        throw new ScanLensError(oneLine(error), model.onnxPath);
      }
    });
    biases.set(key, entry);
    entry.catch(() => biases.delete(key));
  }
  return entry;
}

/** Logits and the target activations (and any `extra` tensors), no gradient: what gradient-free methods need. */
export function activationSession(model: LoadedModel, target: string, options: SessionOptions = {}, extra: readonly string[] = []): Promise<InferenceSession> {
  const request = extra.length > 0 ? { kind: 'activations', target, logits: model.outputName, extra } : { kind: 'activations', target, logits: model.outputName };
  return cachedSession(model, request, options, async (bytes) => activationBytes(model, bytes, target, extra));
}

function activationBytes(model: LoadedModel, bytes: Uint8Array, target: string, extra: readonly string[]): Uint8Array {
  const derived = decodeModel(bytes, model.onnxPath);
  new GraphBuilder(derived.graph).exposeOutput(target);
  // Of any type (a side tensor may be a shape, int64): onnxruntime infers it.
  for (const name of extra) if (!derived.graph.output.some((o) => o.name === name)) derived.graph.output.push({ name });
  return encodeModel(derived);
}

const tails = new Map<string, Promise<string[]>>();

/** The tensors computed before `target` that the model after it still reads (layerTail.ts): empty for a layer every later path goes through. */
export function tailSides(model: LoadedModel, target: string): Promise<string[]> {
  const key = JSON.stringify([model.sha256, target]);
  let entry = tails.get(key);
  if (!entry) {
    entry = modelGraph(model).then((graph) => {
      try {
        return layerTail(graph, target, model.outputName).sides;
      } catch (error) {
        throw new ScanLensError(oneLine(error), model.onnxPath);
      }
    });
    tails.set(key, entry);
    entry.catch(() => tails.delete(key));
  }
  return entry;
}

/** The model from the target layer on: its inputs are the target tensor and tailSides' tensors (of the onnxruntime types given), its output the model's. */
export function tailSession(model: LoadedModel, target: string, sideTypes: Record<string, string>, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'tail', target, logits: model.outputName, sideTypes }, options, async (bytes) => {
    const derived = decodeModel(bytes, model.onnxPath);
    Object.assign(derived.graph, tailGraph(derived.graph, target, model.outputName, sideTypes).graph);
    return encodeModel(derived);
  });
}

export function inputSize(model: LoadedModel): number {
  const { channels, size } = model.manifest.input;
  return channels * size.width * size.height * (size.depth ?? 1);
}

/** Releases every derived session (tests, extension deactivation). */
export async function releaseExplainSessions(): Promise<void> {
  graphs.clear();
  layers.clear();
  tails.clear();
  biases.clear();
  await sessions.release();
}
