/**
 * anomalib's min-max normalisation (anomalib.utils.normalization.min_max):
 * ((x − threshold) / (max − min)) + 0.5, clipped to [0,1], so the threshold
 * lands on 0.5 whatever the raw scale.
 */
export function normalizeMinMax(value: number, threshold: number, min: number, max: number): number {
  const normalized = (value - threshold) / (max - min) + 0.5;
  return Math.min(1, Math.max(0, normalized));
}
