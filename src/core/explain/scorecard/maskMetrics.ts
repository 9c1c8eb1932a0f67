export interface MaskMetrics {
  /** Pixels inside the mask (non-zero), on the slice's grid. */
  readonly maskPixels: number;
  /** Whether the map's maximum falls inside the mask (Quantus' PointingGame: any pixel at the maximum). */
  readonly pointingGame: boolean;
  /** Share of the map's relevance inside the mask (Quantus' RelevanceMassAccuracy); null for an all-zero map. */
  readonly relevanceMass: number | null;
}

/**
 * Localisation against a mask: `heat` is the min-max normalised map on the
 * slice's grid (NaN where the model did not see the slice, which counts for
 * neither), `inside` the mask on the same grid.
 */
export function maskMetrics(heat: Float32Array, inside: Uint8Array): MaskMetrics {
  let max = -Infinity;
  for (const v of heat) if (v > max) max = v;
  let hit = false;
  let within = 0;
  let total = 0;
  let maskPixels = 0;
  for (let i = 0; i < heat.length; i++) {
    if (inside[i]) maskPixels++;
    const v = heat[i]!;
    if (Number.isNaN(v)) continue;
    total += v;
    if (!inside[i]) continue;
    within += v;
    if (v === max) hit = true;
  }
  return { maskPixels, pointingGame: hit, relevanceMass: total > 0 ? within / total : null };
}
