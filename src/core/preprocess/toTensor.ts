import type { Image2D } from '../image';

export interface TensorLayout {
  readonly layout: 'NCHW' | 'NHWC';
  readonly mean?: readonly number[] | undefined;
  readonly std?: readonly number[] | undefined;
}

/**
 * Applies (x - mean) / std per channel and lays the image out as one batch
 * item with `channels` channels; a grey image fills every channel, so grey
 * scans reach RGB models without an interleaved RGB copy first. Written into
 * `out` when given (a decode worker's slot of a batch), else a new array.
 */
export function toTensorData(
  image: Image2D,
  { layout, mean, std }: TensorLayout,
  channels = image.channels,
  out: Float32Array = new Float32Array(image.width * image.height * channels),
): Float32Array {
  const { width, height, data } = image;
  const step = image.channels;
  if (step !== 1 && step !== channels) throw new Error(`cannot lay out a ${step}-channel image as ${channels} channels`);
  const plane = width * height;
  if (out.length !== plane * channels) throw new Error(`model input needs ${plane * channels} values; its slot holds ${out.length}`);
  const m = Array.from({ length: channels }, (_, c) => mean?.[c] ?? mean?.[0] ?? 0);
  const s = Array.from({ length: channels }, (_, c) => std?.[c] ?? std?.[0] ?? 1);
  for (let c = 0; c < channels; c++) {
    const [mc, sc, from] = [m[c]!, s[c]!, step === 1 ? 0 : c];
    if (layout === 'NHWC') {
      for (let i = 0; i < plane; i++) out[i * channels + c] = (data[i * step + from]! - mc) / sc;
    } else if (step === 1 && c > 0 && mc === m[c - 1] && sc === s[c - 1]) {
      // Grey under the previous channel's mean and std: the same plane again.
      out.copyWithin(c * plane, (c - 1) * plane, c * plane);
    } else if (step === 1) {
      // One straight run per plane: the model input's largest write, on every image of a folder.
      const to = c * plane;
      for (let i = 0; i < plane; i++) out[to + i] = (data[i]! - mc) / sc;
    } else {
      for (let i = 0; i < plane; i++) out[c * plane + i] = (data[i * step + from]! - mc) / sc;
    }
  }
  return out;
}
