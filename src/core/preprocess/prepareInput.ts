import type { Image2D } from '../image';
import type { Manifest } from '../model/manifest';
import type { Scan } from '../scan/scan';
import { toChannels } from './colour';
import { checkFiniteSlice } from './finiteSlice';
import { unitSlice } from './intensity';
import { resizeImage } from './resize';
import { runStages, type StageResult } from './stages';
import { toTensorData } from './toTensor';
import { imageInput } from '../model/imageInput';

export interface PreparedInput {
  /** One batch item, laid out as the model's input wants it. */
  readonly data: Float32Array;
  /** The slice itself in [0,1], before any stage or resizing: what overlays are drawn on, mapToSlice placing maps as the model's fit framed it. */
  readonly sliceImage: Image2D;
}

/** prepareInput with every intermediate it made: what `preprocess` shows, value for value. */
export interface PreparedSteps extends PreparedInput {
  /** The manifest's MRI stages, in order, each one's output (none when the manifest names none). */
  readonly stages: readonly StageResult[];
  /** The image at the model's size, before mean/std and layout (grey when a grey slice fills an RGB model's three channels). */
  readonly resized: Image2D;
}

/**
 * Scan slice → model input, in the order the manifest implies: stored values
 * to [0,1], the named MRI stages (on grey), the model's channel count and
 * size, then mean/std and layout; the batch item is written into `out` when given.
 * A slice with a NaN or infinite value in modality units is refused (checkFiniteSlice).
 */
export async function prepareInput(scan: Scan, manifest: Manifest, z = 0, out?: Float32Array): Promise<PreparedInput> {
  const { data, sliceImage } = prepareSteps(scan, manifest, z, out);
  return { data, sliceImage };
}

/** prepareInput, keeping the stages' outputs and the resized image. */
export function prepareSteps(scan: Scan, manifest: Manifest, z = 0, out?: Float32Array): PreparedSteps {
  const input = imageInput(manifest, 'slice-by-slice preprocessing');
  const unit = unitSlice(scan, z, input.intensity);
  // Every model input passes here (classify, volumes, explain, anomaly, the viewer): a NaN or infinite value is refused by name, not turned into null results.
  checkFiniteSlice(scan, z);
  const stages = manifest.preprocessing.length > 0 ? runStages(toChannels(unit, 1), manifest.preprocessing) : [];
  const image = stages.at(-1)?.image ?? unit;
  if (image.channels === 1 && input.channels === 3) {
    // Resampling is per channel, so a grey scan is resized once and only then fills the model's three channels: the same numbers for a third of the work.
    const resized = resizeImage(image, input.size, input.resize, input.fit);
    return { data: toTensorData(resized, input, 3, out), sliceImage: unit, stages, resized };
  }
  const resized = resizeImage(toChannels(image, input.channels), input.size, input.resize, input.fit);
  return { data: toTensorData(resized, input, resized.channels, out), sliceImage: unit, stages, resized };
}
