import type { PreparedInput } from '../preprocess/prepareInput';
import { anomalyMap, type ScoredMap } from './anomalyMap';
import type { FeatureDetector } from './detector';
import type { BackboneFeatures } from './features/backboneFeatures';
import { prepareSlice } from './prepareSlice';

/** A single-slice scan file → backbone features → distance map → anomaly map and score. */
export async function scoreFile(file: string, features: BackboneFeatures, detector: FeatureDetector, sigma: number): Promise<ScoredMap> {
  return scorePrepared(await prepareSlice(file, features.model.manifest), features, detector, sigma);
}

/** A slice already prepared as the backbone's input → anomaly map and score (the detector's own image score when it has one). */
export async function scorePrepared(prepared: PreparedInput, features: BackboneFeatures, detector: FeatureDetector, sigma: number): Promise<ScoredMap> {
  const grid = await features.extract(prepared.data);
  const distances = detector.distanceMap(grid.data);
  const scored = anomalyMap(distances, features.spec.grid, features.model.manifest.input.size, sigma);
  return detector.imageScore ? { map: scored.map, score: detector.imageScore(grid.data, distances) } : scored;
}
