import type { Image2D } from '../image';
import type { Manifest, Stage } from '../model/manifest';
import type { Scan } from '../scan/scan';
import { toChannels } from './colour';
import { unitSlice } from './intensity';
import { resizeImage } from './resize';
import { runStages } from './stages';
import { toTensorData } from './toTensor';

export interface PreparedInput {
  /** One batch item, laid out as the model's input wants it. */
  readonly data: Float32Array;
  /** The slice itself in [0,1], before any stage or resizing: what overlays are drawn on, mapToSlice placing maps as the model's fit framed it. */
  readonly sliceImage: Image2D;
}

/**
 * Scan slice → model input, in the order the manifest implies: stored values
 * to [0,1], the named MRI stages (on grey), the model's channel count and
 * size, then mean/std and layout; the batch item is written into `out` when given.
 */
export async function prepareInput(scan: Scan, manifest: Manifest, z = 0, out?: Float32Array): Promise<PreparedInput> {
  const { input } = manifest;
  const unit = unitSlice(scan, z, input.intensity);
  let image = manifest.preprocessing.length > 0 ? applyStages(toChannels(unit, 1), manifest.preprocessing) : unit;
  if (image.channels === 1 && input.channels === 3) {
    // Resampling is per channel, so a grey scan is resized once and only then fills the model's three channels: the same numbers for a third of the work.
    return { data: toTensorData(resizeImage(image, input.size, input.resize, input.fit), input, 3, out), sliceImage: unit };
  }
  image = resizeImage(toChannels(image, input.channels), input.size, input.resize, input.fit);
  return { data: toTensorData(image, input, image.channels, out), sliceImage: unit };
}

function applyStages(image: Image2D, stages: readonly Stage[]): Image2D {
  const steps = runStages(image, [...stages]);
  return steps.at(-1)?.image ?? image;
}
