import type { Image2D } from '../image';
import type { RawMap } from '../explain/explain';
import { minMaxNormalise, upsampleMap } from '../explain/upsample';
import type { ColormapName } from './colormaps';
import { overlayHeatmap } from './overlay';

/** A raw explanation map upsampled (bilinear) to the image, min-max normalised, coloured and blended over it. */
export function explanationOverlay(base: Image2D, map: RawMap, colormap: ColormapName, alpha: number): Image2D {
  const heat = upsampleMap(map, base);
  return overlayHeatmap(base, { ...heat, data: minMaxNormalise(heat.data) }, colormap, alpha);
}
