import { upsampleMap } from '../upsample';
import type { BiasGradientContext, CamMap, CamMethod } from './camMethod';
import { scaleCamImage } from './camMath';

/** |a·b| per element, min-max scaled as scale_cam_image, added into `into`. */
function addScaled(into: Float64Array, values: Float32Array): void {
  const scaled = scaleCamImage(values);
  for (let i = 0; i < into.length; i++) into[i]! += scaled[i]!;
}

/**
 * FullGrad (Srinivas & Fleuret 2019) as pytorch-grad-cam defines it
 * (fullgrad_cam.py): |input gradient × input|, each input channel min-max
 * scaled, plus for every bias layer |bias × gradient of its output|, each
 * channel min-max scaled, summed over channels and resized bilinearly to the
 * input's size; everything summed. Resizing is linear, so each layer's channels
 * are summed before its one resize. Maps at a bias layer that are not 2-D
 * (a BatchNorm after flattening) are left out, as pytorch-grad-cam takes only
 * Conv2d and BatchNorm2d.
 */
function fullGradMap({ model, input, inputGradient, layers }: BiasGradientContext): CamMap {
  const { layout, channels, size } = model.manifest.input;
  const { width, height } = size;
  const pixels = width * height;
  const total = new Float64Array(pixels);
  for (let c = 0; c < channels; c++) {
    const term = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) {
      const at = layout === 'NCHW' ? c * pixels + i : i * channels + c;
      term[i] = Math.abs(inputGradient[at]! * input[at]!);
    }
    addScaled(total, term);
  }
  for (const { bias, gradient } of layers) {
    if (gradient.dims.length !== 4) continue;
    const [, count, h, w] = gradient.dims as [number, number, number, number];
    const sum = new Float64Array(h * w);
    for (let k = 0; k < count; k++) {
      const term = new Float32Array(h * w);
      for (let i = 0; i < h * w; i++) term[i] = Math.abs(bias[k]! * gradient.data[k * h * w + i]!);
      addScaled(sum, term);
    }
    const resized = upsampleMap({ width: w, height: h, data: Float32Array.from(sum) }, size).data;
    for (let i = 0; i < pixels; i++) total[i]! += resized[i]!;
  }
  return { width, height, data: Float32Array.from(total) };
}

export const fullgrad: CamMethod = { needs: 'biasGradients', map: fullGradMap };
