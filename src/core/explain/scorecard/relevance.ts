import type { RawMap } from '../explain';
import { minMaxNormalise, upsampleMap } from '../upsample';

/** The map as the scorecard reads it: upsampled to the model input bilinearly (as the overlay draws it) and min-max normalised to [0,1]. */
export function inputHeat(map: RawMap, size: { width: number; height: number }): Float32Array {
  return minMaxNormalise(upsampleMap(map, size).data);
}

/** Pixel indices, most relevant first; equal relevance in pixel order, so a run and the reference break ties (a ReLU'd map's zeros) alike. */
export function relevanceOrder(heat: Float32Array): Int32Array {
  const order = Int32Array.from(heat.keys());
  return order.sort((a, b) => heat[b]! - heat[a]! || a - b);
}
