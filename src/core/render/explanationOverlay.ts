import type { Image2D } from '../image';
import type { RawMap } from '../explain/explain';
import { upsampleMap } from '../explain/upsample';
import { colourise, type ColormapName } from './colormaps';
import { blendOver } from './overlay';
import { pngFromBytes } from './pngEncode';

/**
 * A raw explanation map upsampled (bilinear) to the image, stretched to the
 * full colour range, coloured and blended over it, written as an RGB PNG:
 * straight from map to bytes, without float images in between, since every
 * explanation ends here.
 */
export function explanationPng(base: Image2D, map: RawMap, colormap: ColormapName, alpha: number): Buffer {
  const heat = upsampleMap(map, base).data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < heat.length; i++) {
    const v = heat[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const bytes = new Uint8ClampedArray(heat.length * 3);
  blendOver(base, colourise(colormap, heat, { lo, hi }), alpha, bytes, 255);
  return pngFromBytes(new Uint8Array(bytes.buffer), base.width, base.height, 3);
}
