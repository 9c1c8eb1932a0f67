import type { Image2D } from '../image';
import { resizeImage } from '../preprocess/resize';

/** Bilinear upsampling of a one-channel map to a size, then min-max normalisation to [0,1]. */
export function upsampleMap(map: { width: number; height: number; data: Float32Array }, size: { width: number; height: number }): Image2D {
  const image: Image2D = { width: map.width, height: map.height, channels: 1, data: map.data };
  return resizeImage(image, size, 'linear', 'fill');
}

/** Values stretched to [0,1]; a constant map becomes all zeros. Plain loops: this runs on every overlay. */
export function minMaxNormalise(data: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  const out = new Float32Array(data.length);
  if (!(range > 0)) return out;
  const scale = 1 / range;
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - lo) * scale;
  return out;
}
