import { ScanLensError } from '../errors';
import { mapToSlice } from '../preprocess/mapToSlice';
import { placeReslicedSlice, resliceScan, type SliceAxis } from '../scan/reslice';
import type { Scan } from '../scan/scan';
import type { AnomalyResult, AnomalyScorer } from './scorer';

export interface VolumeScoreOptions {
  /** Default: axial, the plane slice-wise detectors are fitted on. */
  readonly axis?: SliceAxis;
  readonly threshold?: number;
  /** Also build the 3D map on the scan's voxels (VolumeScores.map). */
  readonly map?: boolean;
  /** Stops between slices: the result is then undefined (part of a volume is no volume score). */
  readonly signal?: AbortSignal;
  readonly onSlice?: (done: number, total: number) => void;
}

export interface VolumeScores {
  readonly axis: SliceAxis;
  readonly count: number;
  /** Every slice's score along the axis, in slice order. */
  readonly profile: readonly number[];
  /** The highest-scoring slice (the volume's score) and its result. */
  readonly best: { readonly index: number; readonly result: AnomalyResult };
  /**
   * The volume's anomaly map as a one-channel float32 scan on the input's own
   * voxels (its path, shape and affine): each slice's map brought onto the
   * slice's pixels as the 2D overlay brings it (mapToSlice) and put back where
   * those pixels are stored. Values are the detector's map units — the
   * threshold's and the score's (PaDiM: Mahalanobis distance; PatchCore:
   * distance to the nearest memory-bank patch) — NaN where the detector's
   * input did not cover the slice.
   */
  readonly map?: Scan;
}

/** A one-channel float32 scan with `scan`'s geometry, all NaN until slices are placed: a map is not the scan's values, so no rescale. */
function emptyMap(scan: Scan): Scan {
  const { rescale: _stored, ...geometry } = scan;
  return { ...geometry, channels: 1, voxels: new Float32Array(scan.shape[0] * scan.shape[1] * scan.shape[2]).fill(Number.NaN) };
}

/**
 * A volume scored slice by slice along one axis with a slice-wise scorer:
 * each slice cut as classify cuts it (radiological display orientation), its
 * score in the profile, the highest kept as the volume's, and, when asked,
 * its map placed into the volume (the inverse of the cut), so one map on the
 * scan's grid can be saved or cut along any other axis.
 */
export async function scoreVolumeSlices(scorer: AnomalyScorer, scan: Scan, options: VolumeScoreOptions = {}): Promise<VolumeScores | undefined> {
  const axis = options.axis ?? 'axial';
  const resliced = resliceScan(scan, axis);
  const [count, height, width] = resliced.shape;
  const map = options.map ? emptyMap(scan) : undefined;
  const profile: number[] = [];
  let best: { index: number; result: AnomalyResult } | undefined;
  for (let index = 0; index < count; index++) {
    if (options.signal?.aborted) return undefined;
    const result = await scorer.scoreSlice(resliced, index, options.threshold);
    profile.push(result.score);
    if (!best || result.score > best.result.score) best = { index, result };
    if (map) placeReslicedSlice(map, axis, index, mapToSlice(result.map, { width, height }, scorer.input).data);
    options.onSlice?.(index + 1, count);
  }
  if (!best) throw new ScanLensError(`has no ${axis} slices`, scan.path);
  return { axis, count, profile, best, ...(map ? { map } : {}) };
}
