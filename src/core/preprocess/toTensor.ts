import type { Image2D } from '../image';

export interface TensorLayout {
  readonly layout: 'NCHW' | 'NHWC';
  readonly mean?: readonly number[] | undefined;
  readonly std?: readonly number[] | undefined;
}

/** Applies (x - mean) / std per channel and lays the image out as one batch item. */
export function toTensorData(image: Image2D, { layout, mean, std }: TensorLayout): Float32Array {
  const { width, height, channels } = image;
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    const m = mean ? (mean[c] ?? mean[0]!) : 0;
    const s = std ? (std[c] ?? std[0]!) : 1;
    for (let i = 0; i < plane; i++) {
      const v = (image.data[i * channels + c]! - m) / s;
      if (layout === 'NCHW') out[c * plane + i] = v;
      else out[i * channels + c] = v;
    }
  }
  return out;
}
