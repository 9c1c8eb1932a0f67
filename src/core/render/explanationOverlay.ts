import type { Image2D } from '../image';
import type { RawMap } from '../explain/explain';
import { extent } from '../explain/upsample';
import { mapToSlice, type ModelView } from '../preprocess/mapToSlice';
import { blendHeat, type ColormapName } from './colormaps';
import { pngFromBytes } from './pngEncode';

/**
 * A raw explanation map brought onto the slice the model saw through `view`
 * (bilinear), stretched to the full colour range, coloured and blended over
 * it, written as an RGB PNG: straight from map to bytes, without float images
 * in between, since every explanation ends here. Pixels the model did not
 * see (cover's margins) keep the slice unblended.
 */
export function explanationPng(base: Image2D, map: RawMap, view: ModelView, colormap: ColormapName, alpha: number): Buffer {
  return pngFromBytes(explanationBytes(base, map, view, colormap, alpha), base.width, base.height, 3);
}

/** explanationPng's RGB pixels, before encoding. */
export function explanationBytes(base: Image2D, map: RawMap, view: ModelView, colormap: ColormapName, alpha: number): Uint8Array {
  const heat = mapToSlice(map, base, view).data;
  const bytes = new Uint8ClampedArray(heat.length * 3);
  blendHeat(colormap, base, heat, extent(heat), alpha, bytes, 255);
  return new Uint8Array(bytes.buffer);
}
