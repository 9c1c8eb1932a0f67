import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InferenceSession } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../../errors';
import type { LoadedModel } from '../../model/loadModel';
import { ort } from '../../native/ort';
import { cachedDerived, derivedCacheDir, derivedKey } from '../../onnx/derivedCache';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { decodeModel, encodeModel } from '../../onnx/modelProto';
import { SCANLENS_VERSION } from '../../version';

export interface FeatureSessionOptions {
  readonly cacheDir?: string;
  /** Intra-op threads; default the backbone's own. */
  readonly threads?: number;
}

/** The backbone's bytes, checked against the hash it was loaded with. */
export async function backboneBytes(model: LoadedModel): Promise<Uint8Array> {
  const bytes = await readFile(model.onnxPath).catch((error: unknown) => {
    throw new ScanLensError(`cannot read the model (${oneLine(error)})`, model.onnxPath);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== model.sha256) throw new ScanLensError('the model file changed since it was loaded', model.onnxPath);
  return bytes;
}

const sessions = new Map<string, Promise<InferenceSession>>();

/**
 * The backbone with the feature tensors exposed as outputs: a derived model
 * in the derived-model cache, so the user's file is never touched and a
 * repeated request costs one read.
 */
export function featureSession(model: LoadedModel, layers: readonly string[], options: FeatureSessionOptions = {}): Promise<InferenceSession> {
  const key = derivedKey(model.sha256, { kind: 'anomaly-features', layers, scanlens: SCANLENS_VERSION });
  const { provider } = model;
  const threads = options.threads ?? model.threads;
  // The derived bytes do not depend on provider or threads; the session does.
  const sessionKey = JSON.stringify([key, provider, threads]);
  let entry = sessions.get(sessionKey);
  if (!entry) {
    entry = (async () => {
      const { bytes } = await cachedDerived(derivedCacheDir(options.cacheDir), key, async () => {
        const derived = decodeModel(await backboneBytes(model), model.onnxPath);
        const builder = new GraphBuilder(derived.graph);
        for (const layer of layers) builder.exposeOutput(layer);
        return encodeModel(derived);
      });
      try {
        return await ort().InferenceSession.create(bytes, { executionProviders: [provider], logSeverityLevel: 3, intraOpNumThreads: threads, executionMode: 'sequential' });
      } catch (error) {
        throw new ScanLensError(`onnxruntime cannot load the backbone with feature outputs (${oneLine(error)})`, model.onnxPath);
      }
    })();
    sessions.set(sessionKey, entry);
    entry.catch(() => sessions.delete(sessionKey));
  }
  return entry;
}

/** Releases every feature session (tests, extension deactivation). */
export async function releaseFeatureSessions(): Promise<void> {
  const entries = [...sessions.values()];
  sessions.clear();
  await Promise.all(entries.map(async (p) => (await p.catch(() => undefined))?.release()));
}
