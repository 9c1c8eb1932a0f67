import type { Image2D } from '../image';
import { resizeImage } from '../preprocess/resize';

/** Bilinear upsampling of a one-channel map to a size, then min-max normalisation to [0,1]. */
export function upsampleMap(map: { width: number; height: number; data: Float32Array }, size: { width: number; height: number }): Image2D {
  const image: Image2D = { width: map.width, height: map.height, channels: 1, data: map.data };
  return resizeImage(image, size, 'linear', 'fill');
}

/** Smallest and largest value (NaN skipped; Infinity/-Infinity for no values). Plain loops: this runs on every overlay. */
export function extent(data: Float32Array): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Values stretched to [0,1]; a constant map becomes all zeros; NaN (a pixel the model did not see) stays NaN. */
export function minMaxNormalise(data: Float32Array): Float32Array {
  const { lo, hi } = extent(data);
  const range = hi - lo;
  const out = new Float32Array(data.length);
  const scale = range > 0 ? 1 / range : 0;
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - lo) * scale;
  return out;
}
