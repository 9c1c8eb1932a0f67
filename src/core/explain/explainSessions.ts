import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import type { LoadedModel } from '../model/loadModel';
import { ort } from '../native/ort';
import { cachedDerived, derivedCacheDir, derivedKey } from '../onnx/derivedCache';
import { GraphBuilder } from '../onnx/graphBuilder';
import { GraphIndex } from '../onnx/graphIndex';
import { decodeModel, encodeModel } from '../onnx/modelProto';
import type { GraphProto } from '../onnx/onnxSchema';
import { SCANLENS_VERSION } from '../version';
import { deriveGradientModel } from './deriveGradientModel';
import { autoTargetLayer, checkTensorExists, type TargetLayer } from './targetLayer';

export interface SessionOptions {
  /** Where derived models are cached; default SCANLENS_CACHE_DIR/derived or the OS cache folder. */
  readonly cacheDir?: string;
  /** Intra-op threads; default the model's own. */
  readonly threads?: number;
}

/** The model's bytes, checked against the hash it was loaded with. */
async function modelBytes(model: LoadedModel): Promise<Uint8Array> {
  const bytes = await readFile(model.onnxPath).catch((error: unknown) => {
    throw new ScanLensError(`cannot read the model (${oneLine(error)})`, model.onnxPath);
  });
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== model.sha256) throw new ScanLensError('the model file changed since it was loaded', model.onnxPath);
  return bytes;
}

export function inputTensor(model: LoadedModel, data: Float32Array, batch = 1): Tensor {
  const { layout, channels, size } = model.manifest.input;
  const dims = layout === 'NCHW' ? [batch, channels, size.height, size.width] : [batch, size.height, size.width, channels];
  return new (ort().Tensor)('float32', data, dims);
}

const graphs = new Map<string, Promise<GraphProto>>();

async function modelGraph(model: LoadedModel): Promise<GraphProto> {
  let entry = graphs.get(model.sha256);
  if (!entry) {
    entry = modelBytes(model).then((bytes) => decodeModel(bytes, model.onnxPath).graph);
    graphs.set(model.sha256, entry);
    entry.catch(() => graphs.delete(model.sha256));
  }
  return entry;
}

/** The target layer: --layer, else the manifest's explain.targetLayer, else automatic. */
export async function resolveTargetLayer(model: LoadedModel, option: string | undefined): Promise<TargetLayer> {
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

const sessions = new Map<string, Promise<InferenceSession>>();

async function cachedSession(model: LoadedModel, request: Record<string, unknown>, options: SessionOptions, build: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<InferenceSession> {
  const key = derivedKey(model.sha256, { ...request, scanlens: SCANLENS_VERSION, input: model.manifest.input.size });
  const { provider } = model;
  const threads = options.threads ?? model.threads;
  // The derived bytes do not depend on provider or threads; the session does.
  const sessionKey = JSON.stringify([key, provider, threads]);
  let entry = sessions.get(sessionKey);
  if (!entry) {
    entry = (async () => {
      const { bytes } = await cachedDerived(derivedCacheDir(options.cacheDir), key, async () => build(await modelBytes(model)));
      try {
        return await ort().InferenceSession.create(bytes, {
          executionProviders: [provider],
          logSeverityLevel: 3,
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          // As for classification sessions: idle threads must not spin and take the cores rendering needs.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        });
      } catch (error) {
        throw new ScanLensError(`onnxruntime cannot load the derived model (${oneLine(error)})`, model.onnxPath);
      }
    })();
    sessions.set(sessionKey, entry);
    entry.catch(() => sessions.delete(sessionKey));
  }
  return entry;
}

/** Logits, target activations and d logit[class] / d activations in one run. */
export function gradientSession(model: LoadedModel, target: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'gradient', target, logits: model.outputName }, options, (bytes) => {
    const feeds = { [model.inputName]: inputTensor(model, new Float32Array(inputSize(model))) };
    return deriveGradientModel(bytes, { target, logits: model.outputName, feeds, file: model.onnxPath });
  });
}

/** Logits and the target activations, no gradient: what gradient-free methods need. */
export function activationSession(model: LoadedModel, target: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return cachedSession(model, { kind: 'activations', target, logits: model.outputName }, options, async (bytes) => {
    const derived = decodeModel(bytes, model.onnxPath);
    new GraphBuilder(derived.graph).exposeOutput(target);
    return encodeModel(derived);
  });
}

export function inputSize(model: LoadedModel): number {
  const { channels, size } = model.manifest.input;
  return channels * size.width * size.height;
}

/** Releases every derived session (tests, extension deactivation). */
export async function releaseExplainSessions(): Promise<void> {
  const entries = [...sessions.values()];
  sessions.clear();
  graphs.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.release()));
}
