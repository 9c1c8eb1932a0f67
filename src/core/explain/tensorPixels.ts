import type { InputSpec } from '../model/manifest';

/** Pixel-wise edits of a model input tensor, whatever its layout. */
export function pixelCount(input: InputSpec): number {
  return input.size.width * input.size.height;
}

/** A copy of `data` with pixel i scaled by mask[i] (every channel). */
export function maskPixels(data: Float32Array, input: InputSpec, mask: ArrayLike<number>): Float32Array {
  const out = new Float32Array(data.length);
  const n = pixelCount(input);
  for (let c = 0; c < input.channels; c++) {
    for (let i = 0; i < n; i++) {
      const at = input.layout === 'NCHW' ? c * n + i : i * input.channels + c;
      out[at] = data[at]! * mask[i]!;
    }
  }
  return out;
}

/** Index of pixel i, channel c, in the tensor. */
export function at(input: InputSpec, i: number, c: number): number {
  return input.layout === 'NCHW' ? c * pixelCount(input) + i : i * input.channels + c;
}
