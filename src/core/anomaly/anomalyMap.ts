import type { Image2D } from '../image';
import { gaussianBlur } from '../preprocess/gaussian';
import { resizeImage } from '../preprocess/resize';

/** anomalib's default: the upsampled map is smoothed with a Gaussian of sigma 4 pixels. */
export const DEFAULT_SIGMA = 4;

export interface ScoredMap {
  /** The anomaly map at the model input's size. */
  readonly map: Image2D;
  /** The image score: the map's maximum. */
  readonly score: number;
}

/** Grid distances → map at the input size (bilinear), optionally Gaussian-smoothed; score = max. */
export function anomalyMap(distances: Float32Array, grid: { width: number; height: number }, size: { width: number; height: number }, sigma: number): ScoredMap {
  let map: Image2D = resizeImage({ width: grid.width, height: grid.height, channels: 1, data: distances }, size, 'linear', 'fill');
  if (sigma > 0) map = gaussianBlur(map, sigma);
  let score = -Infinity;
  for (const v of map.data) if (v > score) score = v;
  return { map, score };
}
