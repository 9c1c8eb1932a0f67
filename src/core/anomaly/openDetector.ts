import { resolve } from 'node:path';
import { ScanLensError } from '../errors';
import { getModel } from '../model/modelCache';
import { loadDetector } from './detectorFile';
import { BackboneFeatures } from './features/backboneFeatures';
import type { AnomalyScorer, ScorerOptions } from './scorer';
import { scoreFile } from './scoreInput';

/** Loads a detector folder and the backbone it names (checked by sha256). */
export async function openDetector(path: string, options: ScorerOptions = {}): Promise<AnomalyScorer> {
  const loaded = await loadDetector(path);
  const { manifest } = loaded;
  const backbonePath = options.backbone ?? resolve(loaded.folder, manifest.backbone.path);
  const backbone = await getModel(backbonePath, options.threads !== undefined ? { threads: options.threads } : {});
  if (backbone.sha256 !== manifest.backbone.sha256) {
    throw new ScanLensError(`backbone sha256 is ${backbone.sha256}, but the detector was fitted on ${manifest.backbone.name} (${manifest.backbone.sha256})`, backbone.onnxPath);
  }
  const features = BackboneFeatures.open(backbone, manifest.features, { threads: options.threads, cacheDir: options.cacheDir });
  return {
    kind: manifest.method,
    threshold: manifest.threshold.value,
    summary: () => ({ path: loaded.folder, method: manifest.method, backbone: manifest.backbone, threshold: manifest.threshold }),
    async score(file, threshold = manifest.threshold.value) {
      const scored = await scoreFile(file, features, loaded.detector, manifest.map.sigma);
      return { ...scored, threshold, label: scored.score >= threshold ? 'anomalous' : 'normal' };
    },
  };
}
