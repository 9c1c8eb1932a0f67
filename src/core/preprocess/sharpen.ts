import type { Image2D } from '../image';
import { gaussianBlur } from './gaussian';
import { checkParam, requireGrey } from './validate';

/**
 * Unsharp masking: add back `amount` × (image − Gaussian blur), which steepens
 * edges and leaves flat regions alone. Detail smaller than `threshold` in
 * [0,1] units is left untouched so that noise is not amplified with it.
 * Output is clamped to [0,1].
 */

export type SharpenOptions = {
  /** Blur sigma in pixels: the scale of detail that gets boosted. */
  readonly sigma: number;
  /** How much of the detail to add back (1 doubles it). */
  readonly amount: number;
  /** Minimum |image − blur| to sharpen, in [0,1] units. */
  readonly threshold: number;
};

/** skimage.filters.unsharp_mask's sigma and amount; no threshold, since denoise usually runs first. */
export const SHARPEN_DEFAULTS: SharpenOptions = { sigma: 1, amount: 1, threshold: 0 };

export function sharpen(image: Image2D, options: Partial<SharpenOptions> = {}): Image2D {
  const { sigma, amount, threshold } = { ...SHARPEN_DEFAULTS, ...options };
  requireGrey(image, 'sharpen');
  checkParam('sharpen', 'sigma', sigma, { above: 0, max: 50 });
  checkParam('sharpen', 'amount', amount, { min: 0 });
  checkParam('sharpen', 'threshold', threshold, { min: 0 });

  const blurred = gaussianBlur(image, sigma).data;
  const src = image.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    const detail = v - blurred[i]!;
    const sharpened = Math.abs(detail) < threshold ? v : v + amount * detail;
    out[i] = Math.min(1, Math.max(0, sharpened));
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}
