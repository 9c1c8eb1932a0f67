import type { FeatureDetector, FeatureFitter } from './detector';
import type { NpyArray } from './npy';

/** How a fit is asked for, whatever the method; each kind takes what it needs. */
export interface FitRequest {
  /** Grid positions (width × height) and channels kept per position. */
  readonly positions: number;
  readonly channels: number;
  readonly seed: number;
  readonly epsilon?: number;
  readonly bankSize?: number;
  /** Training patches the fit will see (positions × images), when known. */
  readonly patches?: number;
}

/**
 * One detector kind, anomalib-style: a folder (padim/, patchcore/) whose
 * index exports this. detectorKinds.ts registers it by its method name; fit,
 * load and the memory check go through it.
 */
export interface DetectorKind {
  /** The method's own feature defaults: channels kept (absent: all), neighbourhood averaged, and whose grid. */
  readonly features: { readonly channels?: number; readonly neighbourhood: number; readonly grid: 'deepest' | 'shallowest' };
  /** Bytes the fitter holds while fitting, to refuse a fit that cannot fit in memory. */
  fitBytes(request: FitRequest): number;
  createFitter(request: FitRequest): FeatureFitter;
  /**
   * A fitter that goes on from a fitted detector (`anomaly add`): adding new
   * images to it and finishing gives the updated detector. Errors name `file`
   * (the detector's manifest), e.g. a detector that kept too little to go on from.
   */
  resume(detector: FeatureDetector, request: FitRequest, file: string): FeatureFitter;
  /** The detector from its saved arrays and parameters, checked against the manifest's grid and channels; errors name `file`. */
  load(arrays: Record<string, NpyArray | undefined>, parameters: Record<string, number>, expected: { positions: number; channels: number }, file: string): FeatureDetector;
}
