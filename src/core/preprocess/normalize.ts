import type { Image2D } from '../image';
import { percentiles } from './percentile';
import { checkParam, requireGrey } from './validate';

/**
 * Intensity normalisation: the `low` and `high` percentiles map to 0 and 1,
 * values beyond them are clipped. Robust to the few very bright or dark
 * pixels (vessels, artefacts) that would dominate a plain min–max rescale.
 */

export type NormalizeOptions = {
  /** Percentile (0–100) that maps to 0. */
  readonly low: number;
  /** Percentile (0–100) that maps to 1. */
  readonly high: number;
};

/** 1/99 clips only the extreme tails, the common choice for MR intensity standardisation. */
export const NORMALIZE_DEFAULTS: NormalizeOptions = { low: 1, high: 99 };

export function normalize(image: Image2D, options: Partial<NormalizeOptions> = {}): Image2D {
  const { low, high } = { ...NORMALIZE_DEFAULTS, ...options };
  requireGrey(image, 'normalize');
  checkParam('normalize', 'low', low, { min: 0, max: 100 });
  checkParam('normalize', 'high', high, { above: low, max: 100 });

  const [lo, hi] = percentiles(image.data, [low, high]) as [number, number];
  const out = new Float32Array(image.data);
  // Too few distinct values to stretch (e.g. a blank slice): pass it through rather than invent contrast.
  if (hi <= lo) return { width: image.width, height: image.height, channels: 1, data: out };
  const scale = 1 / (hi - lo);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (out[i]! - lo) * scale));
  return { width: image.width, height: image.height, channels: 1, data: out };
}
