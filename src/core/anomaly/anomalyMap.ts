import type { Image2D } from '../image';
import { gaussianBlur } from '../preprocess/gaussian';
import { resizeImage } from '../preprocess/resize';
import { upsampleAndBlur } from './mapOperator';

/** anomalib's default: the upsampled map is smoothed with a Gaussian of sigma 4 pixels. */
export const DEFAULT_SIGMA = 4;

export interface ScoredMap {
  /** The anomaly map at the model input's size. */
  readonly map: Image2D;
  /** The image score: the map's maximum (scorePrepared puts a detector's own image score here, e.g. PatchCore's). */
  readonly score: number;
}

/**
 * Grid distances → map at the input size (bilinear), optionally Gaussian-smoothed; score = max.
 * A coarse grid to be blurred goes through upsampleAndBlur's two small products; otherwise the map is resized, and blurred, as it is.
 */
export function anomalyMap(distances: Float32Array, grid: { width: number; height: number }, size: { width: number; height: number }, sigma: number): ScoredMap {
  let map: Image2D;
  if (sigma > 0 && grid.width * 2 <= size.width && grid.height * 2 <= size.height) map = { width: size.width, height: size.height, channels: 1, data: upsampleAndBlur(distances, grid, size, sigma) };
  else {
    map = resizeImage({ width: grid.width, height: grid.height, channels: 1, data: distances }, size, 'linear', 'fill');
    if (sigma > 0) map = gaussianBlur(map, sigma);
  }
  let score = -Infinity;
  const data = map.data;
  for (let i = 0; i < data.length; i++) if (data[i]! > score) score = data[i]!;
  return { map, score };
}
