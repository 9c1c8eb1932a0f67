import type { Image2D } from '../image';
import { colourise, type ColormapName } from './colormaps';

/**
 * A heat map in [0,1] coloured for the viewer to blend over the slice: RGB,
 * or RGBA when some values are NaN (pixels the model did not see), which are
 * then transparent instead of taking the bottom colour of the scale.
 */
export function heatColours(colormap: ColormapName, heat: Image2D): Image2D {
  const rgb = colourise(colormap, heat.data);
  const n = heat.width * heat.height;
  if (!heat.data.some(Number.isNaN)) return { width: heat.width, height: heat.height, channels: 3, data: rgb };
  const rgba = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = Number.isNaN(heat.data[i]) ? 0 : 1;
  }
  return { width: heat.width, height: heat.height, channels: 4, data: rgba };
}
