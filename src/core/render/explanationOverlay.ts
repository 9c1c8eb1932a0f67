import type { Image2D } from '../image';
import type { RawMap } from '../explain/explain';
import { extent, upsampleMap } from '../explain/upsample';
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
  const bytes = new Uint8ClampedArray(heat.length * 3);
  blendOver(base, colourise(colormap, heat, extent(heat)), alpha, bytes, 255);
  return pngFromBytes(new Uint8Array(bytes.buffer), base.width, base.height, 3);
}
