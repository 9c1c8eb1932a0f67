import type { Image2D } from '../image';

export interface TensorLayout {
  readonly layout: 'NCHW' | 'NHWC';
  readonly mean?: readonly number[] | undefined;
  readonly std?: readonly number[] | undefined;
}

/**
 * Applies (x - mean) / std per channel and lays the image out as one batch
 * item with `channels` channels; a grey image fills every channel, so grey
 * scans reach RGB models without an interleaved RGB copy first.
 */
export function toTensorData(image: Image2D, { layout, mean, std }: TensorLayout, channels = image.channels): Float32Array {
  const { width, height, data } = image;
  const step = image.channels;
  if (step !== 1 && step !== channels) throw new Error(`cannot lay out a ${step}-channel image as ${channels} channels`);
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    const m = mean ? (mean[c] ?? mean[0]!) : 0;
    const s = std ? (std[c] ?? std[0]!) : 1;
    const from = step === 1 ? 0 : c;
    if (layout === 'NCHW') {
      const offset = c * plane;
      for (let i = 0; i < plane; i++) out[offset + i] = (data[i * step + from]! - m) / s;
    } else {
      for (let i = 0; i < plane; i++) out[i * channels + c] = (data[i * step + from]! - m) / s;
    }
  }
  return out;
}
