import type { LoadedModel } from '../../model/loadModel';
import type { Explanation, ExplainOptions } from '../explain';
import { upsampleMap } from '../upsample';
import { scaleCamImage } from './camMath';

/** ttach's HorizontalFlip and Multiply(factors=[0.9, 1, 1.1]), pytorch-grad-cam's default aug_smooth transforms, in ttach's order. */
export const AUG_SMOOTH_FLIPS = [false, true] as const;
export const AUG_SMOOTH_FACTORS = [0.9, 1, 1.1] as const;

/** The prepared input mirrored left-right (along its width, in either layout) and multiplied by `factor`. */
function augmented(model: LoadedModel, input: Float32Array, flip: boolean, factor: number): Float32Array {
  const { layout, channels, size } = model.manifest.input;
  const { width, height } = size;
  const out = new Float32Array(input.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = flip ? width - 1 - x : x;
      for (let c = 0; c < channels; c++) {
        const at = layout === 'NCHW' ? (c * height + y) * width : y * width * channels + c;
        const step = layout === 'NCHW' ? 1 : channels;
        out[at + x * step] = input[at + from * step]! * factor;
      }
    }
  }
  return out;
}

/**
 * aug_smooth as pytorch-grad-cam defines it (BaseCAM.forward_augmentation_smoothing with
 * its default transforms): the explanation of six inputs — unflipped and flipped
 * left-right, each multiplied by 0.9, 1 and 1.1 — each map min-max scaled
 * (scale_cam_image: (x − min) / (1e-7 + max)), upsampled bilinearly to the model's
 * input size, scaled again (pytorch-grad-cam's ReLU between is a no-op on these
 * non-negative maps), the flip undone, and the six averaged. The map is
 * therefore at the model's input resolution. The class is the one asked for, else the
 * top class of the unchanged input, for all six (pytorch-grad-cam would take each
 * input's own top class). Probabilities and layer are the unchanged input's.
 */
export async function augmentationSmoothing(
  model: LoadedModel,
  input: Float32Array,
  options: ExplainOptions,
  explain: (model: LoadedModel, input: Float32Array, options: ExplainOptions) => Promise<Explanation>,
): Promise<Explanation> {
  const plain: ExplainOptions = { ...options, augSmooth: false };
  const base = await explain(model, input, plain);
  const { size } = model.manifest.input;
  const { width, height } = size;
  const total = new Float64Array(width * height);
  for (const flip of AUG_SMOOTH_FLIPS) {
    for (const factor of AUG_SMOOTH_FACTORS) {
      const result = !flip && factor === 1 ? base : await explain(model, augmented(model, input, flip, factor), { ...plain, classIndex: base.classIndex });
      const scaled = scaleCamImage(upsampleMap({ ...result.map, data: scaleCamImage(result.map.data) }, size).data);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) total[y * width + x]! += scaled[y * width + (flip ? width - 1 - x : x)]!;
      }
    }
  }
  const count = AUG_SMOOTH_FLIPS.length * AUG_SMOOTH_FACTORS.length;
  const data = new Float32Array(total.length);
  for (let i = 0; i < data.length; i++) data[i] = total[i]! / count;
  const note = `aug_smooth: the mean of ${count} maps (input unflipped and flipped left-right, times 0.9, 1 and 1.1), each min-max scaled at the model's ${width}×${height} input size`;
  return { ...base, map: { width, height, data }, notes: [...base.notes, note] };
}
