import type { Image2D } from '../image';

/**
 * A map for display on a fixed scale: 0 stays 0 and the threshold lands at
 * mid-colour (value / 2·threshold, clipped), so a normal scan looks calm and
 * colours compare across scans — unlike per-image min-max.
 */
export function thresholdHeat(map: Image2D, threshold: number): Image2D {
  const scale = threshold > 0 ? 1 / (2 * threshold) : 1;
  return { ...map, data: Float32Array.from(map.data, (v) => Math.min(1, Math.max(0, v * scale))) };
}
