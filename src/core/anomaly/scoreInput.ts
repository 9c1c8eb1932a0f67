import type { Image2D } from '../image';
import type { PreparedInput } from '../preprocess/prepareInput';
import { anomalyMap, type ScoredMap } from './anomalyMap';
import type { FeatureDetector } from './detector';
import type { BackboneFeatures } from './features/backboneFeatures';
import { prepareSlice } from './prepareSlice';

export interface ScoredScan extends ScoredMap {
  /** What the backbone saw, in [0,1]: the base for overlays. */
  readonly modelImage: Image2D;
}

/** A single-slice scan file → backbone features → distance map → anomaly map and score. */
export async function scoreFile(file: string, features: BackboneFeatures, detector: FeatureDetector, sigma: number): Promise<ScoredScan> {
  return scorePrepared(await prepareSlice(file, features.model.manifest), features, detector, sigma);
}

/** A slice already prepared as the backbone's input → anomaly map and score. */
export async function scorePrepared(prepared: PreparedInput, features: BackboneFeatures, detector: FeatureDetector, sigma: number): Promise<ScoredScan> {
  const grid = await features.extract(prepared.data);
  const scored = anomalyMap(detector.distanceMap(grid.data), features.spec.grid, features.model.manifest.input.size, sigma);
  return { ...scored, modelImage: prepared.modelImage };
}
