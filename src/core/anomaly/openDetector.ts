import { join } from 'node:path';
import { ScanLensError } from '../errors';
import { pathInFolder } from '../io/containment';
import type { LoadedModel } from '../model/loadModel';
import { getModel } from '../model/modelCache';
import { MANIFEST_FILE, loadDetector, type LoadedDetector } from './detectorFile';
import type { FeatureDetector } from './detector';
import type { DetectorManifest } from './detectorManifest';
import { BackboneFeatures } from './features/backboneFeatures';
import type { AnomalyResult, AnomalyScorer, ScorerOptions } from './scorer';
import { prepareInput, type PreparedInput } from '../preprocess/prepareInput';
import { prepareSlice } from './prepareSlice';
import { scorePrepared } from './scoreInput';

/** What scoring needs of a detector's manifest: the rest records where it came from. */
export type ScoringManifest = Pick<DetectorManifest, 'method' | 'map' | 'threshold'> & { readonly backbone: Omit<DetectorManifest['backbone'], 'path'> & { readonly path?: string } };

/**
 * A fitted detector as a scorer: backbone features → distance map → anomaly
 * map and score. The same for a detector loaded from its folder and one just
 * fitted in memory, so both score alike to the bit. `path`: the folder, for
 * JSON summaries (null for a detector that was never written).
 */
export function featureScorer(features: BackboneFeatures, detector: FeatureDetector, manifest: ScoringManifest, path: string | null): AnomalyScorer {
  const backbone: LoadedModel = features.model;
  const scored = async (prepared: PreparedInput, threshold = manifest.threshold.value): Promise<AnomalyResult> => {
    const result = await scorePrepared(prepared, features, detector, manifest.map.sigma);
    return { ...result, threshold, label: result.score >= threshold ? 'anomalous' : 'normal' };
  };
  return {
    kind: manifest.method,
    threshold: manifest.threshold.value,
    input: backbone.manifest.input,
    summary: () => ({ path, method: manifest.method, backbone: manifest.backbone, threshold: manifest.threshold }),
    score: async (file, threshold) => scored(await prepareSlice(file, backbone.manifest), threshold),
    scoreSlice: async (scan, index, threshold) => scored(await prepareInput(scan, backbone.manifest, index), threshold),
  };
}

/** A loaded detector's backbone features: the backbone it names (or options.backbone), checked by sha256. */
export async function detectorFeatures(loaded: LoadedDetector, options: ScorerOptions = {}): Promise<BackboneFeatures> {
  const { manifest } = loaded;
  const backbonePath = options.backbone ?? (await pathInFolder(loaded.folder, manifest.backbone.path, 'backbone.path', join(loaded.folder, MANIFEST_FILE)));
  const backbone = await getModel(backbonePath, { threads: options.threads, provider: options.provider });
  if (backbone.sha256 !== manifest.backbone.sha256) {
    throw new ScanLensError(`backbone sha256 is ${backbone.sha256}, but the detector was fitted on ${manifest.backbone.name} (${manifest.backbone.sha256})`, backbone.onnxPath);
  }
  return BackboneFeatures.open(backbone, manifest.features, { threads: options.threads, cacheDir: options.cacheDir });
}

/** Loads a detector folder and the backbone it names (checked by sha256). */
export async function openDetector(path: string, options: ScorerOptions = {}): Promise<AnomalyScorer> {
  const loaded = await loadDetector(path);
  return featureScorer(await detectorFeatures(loaded, options), loaded.detector, loaded.manifest, loaded.folder);
}
