import type { InferenceSession } from 'onnxruntime-node';
import type { LoadedModel } from '../../model/loadModel';
import { derivedKey } from '../../onnx/derivedCache';
import { DerivedSessions, type DerivedSessionOptions } from '../../model/derivedSessions';
import { GraphBuilder } from '../../onnx/graphBuilder';
import { decodeModel, encodeModel } from '../../onnx/modelProto';
import { SCANLENS_VERSION } from '../../version';

export type FeatureSessionOptions = DerivedSessionOptions;

const sessions = new DerivedSessions('the backbone with feature outputs');

/**
 * The backbone with the feature tensors exposed as outputs: a derived model
 * in the derived-model cache, so the user's file is never touched and a
 * repeated request costs one read.
 */
export function featureSession(model: LoadedModel, layers: readonly string[], options: FeatureSessionOptions = {}): Promise<InferenceSession> {
  const key = derivedKey(model.sha256, { kind: 'anomaly-features', layers, scanlens: SCANLENS_VERSION });
  return sessions.open(model, key, options, (bytes) => {
    const derived = decodeModel(bytes, model.onnxPath);
    const builder = new GraphBuilder(derived.graph);
    for (const layer of layers) builder.exposeOutput(layer);
    return encodeModel(derived);
  });
}

/** Releases every feature session (tests, extension deactivation). */
export function releaseFeatureSessions(): Promise<void> {
  return sessions.release();
}
