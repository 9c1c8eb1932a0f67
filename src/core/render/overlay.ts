import type { Image2D } from '../image';
import { colourise, type ColormapName } from './colormaps';

/**
 * Writes (1 − alpha)·base + alpha·colour for every pixel of a grey or RGB
 * base into `out` (RGB), times `scale`: 1 for float images, 255 straight into
 * a clamped byte array on the way to a PNG. Where `heat` is NaN (a pixel the
 * model did not see) the base is left as it is.
 */
export function blendOver(base: Image2D, colours: Float32Array, alpha: number, out: Float32Array | Uint8ClampedArray, scale: number, heat?: Float32Array): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
  const n = base.width * base.height;
  for (let i = 0; i < n; i++) {
    const a = heat && Number.isNaN(heat[i]) ? 0 : alpha;
    for (let c = 0; c < 3; c++) {
      const b = base.channels === 1 ? base.data[i]! : base.data[i * base.channels + c]!;
      out[i * 3 + c] = ((1 - a) * b + a * colours[i * 3 + c]!) * scale;
    }
  }
}

/**
 * Blends a heat map (one channel, [0,1], same size as the base) over a grey
 * or RGB image: out = (1 − alpha)·base + alpha·colour(heat); NaN heat leaves the base.
 */
export function overlayHeatmap(base: Image2D, heat: Image2D, name: ColormapName = 'jet', alpha = 0.5): Image2D {
  if (base.width !== heat.width || base.height !== heat.height) throw new Error(`heat map is ${heat.width}×${heat.height} but the image is ${base.width}×${base.height}`);
  const data = new Float32Array(base.width * base.height * 3);
  blendOver(base, colourise(name, heat.data), alpha, data, 1, heat.data);
  return { width: base.width, height: base.height, channels: 3, data };
}
