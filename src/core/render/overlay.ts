import type { Image2D } from '../image';
import { colourise, type ColormapName } from './colormaps';

/**
 * Blends a heat map (one channel, [0,1], same size as the base) over a grey
 * or RGB image: out = (1 − alpha)·base + alpha·colour(heat).
 */
export function overlayHeatmap(base: Image2D, heat: Image2D, name: ColormapName = 'jet', alpha = 0.5): Image2D {
  if (base.width !== heat.width || base.height !== heat.height) throw new Error(`heat map is ${heat.width}×${heat.height} but the image is ${base.width}×${base.height}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
  const colours = colourise(name, heat.data);
  const n = base.width * base.height;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const b = base.channels === 1 ? base.data[i]! : base.data[i * base.channels + c]!;
      data[i * 3 + c] = (1 - alpha) * b + alpha * colours[i * 3 + c]!;
    }
  }
  return { width: base.width, height: base.height, channels: 3, data };
}
