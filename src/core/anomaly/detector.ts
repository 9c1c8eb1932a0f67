import type { NpyArray } from './npy';

export const METHODS = ['padim', 'patchcore'] as const;
export type Method = (typeof METHODS)[number];

/**
 * What every feature-statistics detector offers, anomalib-style: each method
 * is a folder with a fitter (streams training features, then finishes) and a
 * detector (a distance per grid position; arrays to save and reload).
 */
export interface FeatureDetector {
  readonly method: Method;
  /** One distance per grid position for features laid out channels × positions. */
  distanceMap(features: Float32Array): Float32Array;
  /** The image score from the features and their distance map, when it is not the anomaly map's maximum. */
  imageScore?(features: Float32Array, distances: Float32Array): number;
  /** The arrays the detector file stores; loading them back gives the same detector. */
  arrays(): Record<string, NpyArray>;
  /** Method parameters for the detector manifest. */
  parameters(): Record<string, number>;
}

export interface FeatureFitter {
  add(features: Float32Array): void;
  readonly count: number;
  finish(): FeatureDetector;
}
