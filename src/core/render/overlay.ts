import type { Image2D } from '../image';
import { blendHeat, type ColormapName } from './colormaps';

/**
 * Blends a heat map (one channel, [0,1], same size as the base) over a grey
 * or RGB image: out = (1 − alpha)·base + alpha·colour(heat); NaN heat leaves the base.
 */
export function overlayHeatmap(base: Image2D, heat: Image2D, name: ColormapName = 'jet', alpha = 0.5): Image2D {
  if (base.width !== heat.width || base.height !== heat.height) throw new Error(`heat map is ${heat.width}×${heat.height} but the image is ${base.width}×${base.height}`);
  const data = new Float32Array(base.width * base.height * 3);
  blendHeat(name, base, heat.data, { lo: 0, hi: 1 }, alpha, data, 1);
  return { width: base.width, height: base.height, channels: 3, data };
}
