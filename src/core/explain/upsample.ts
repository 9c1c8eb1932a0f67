import type { Image2D } from '../image';
import { resizeImage } from '../preprocess/resize';

/** Bilinear upsampling of a one-channel map to a size, then min-max normalisation to [0,1]. */
export function upsampleMap(map: { width: number; height: number; data: Float32Array }, size: { width: number; height: number }): Image2D {
  const image: Image2D = { width: map.width, height: map.height, channels: 1, data: map.data };
  return resizeImage(image, size, 'linear', 'fill');
}

export function minMaxNormalise(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  return Float32Array.from(data, (v) => (range > 0 ? (v - lo) / range : 0));
}
