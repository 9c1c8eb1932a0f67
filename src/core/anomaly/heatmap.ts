import type { Image2D } from '../image';
import { mapToSlice, type ModelView } from '../preprocess/mapToSlice';

/**
 * A map for display on a fixed scale: 0 stays 0 and the threshold lands at
 * mid-colour (value / 2·threshold, clipped), so a normal scan looks calm and
 * colours compare across scans — unlike per-image min-max.
 */
export function thresholdHeat(map: Image2D, threshold: number): Image2D {
  const scale = threshold > 0 ? 1 / (2 * threshold) : 1;
  // A plain loop: typed-array from() with a callback takes V8's slow generic path, and this runs over whole slices.
  const data = new Float32Array(map.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, map.data[i]! * scale));
  return { ...map, data };
}

/** A scorer's map over its input, how that input framed the slice, and the threshold the scale is set by. */
export interface FramedAnomalyMap {
  readonly map: Image2D;
  readonly threshold: number;
  readonly input: ModelView;
}

/**
 * The map brought onto the slice as its input framed it (as explanation maps
 * are) and put on thresholdHeat's fixed scale: the one heat layer of the
 * CLI's --maps, the viewer's overlay and Export Report. NaN where the
 * scorer did not see the slice, so the slice shows through there.
 */
export function anomalyHeat(anomaly: FramedAnomalyMap, size: { width: number; height: number }): Image2D {
  return thresholdHeat(mapToSlice(anomaly.map, size, anomaly.input), anomaly.threshold);
}
