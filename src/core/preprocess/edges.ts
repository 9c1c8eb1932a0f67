import type { Image2D } from '../image';
import { correlateSeparable } from './separable';
import { checkParam, requireGrey } from './validate';

/**
 * Edge enhancement: the Sobel gradient magnitude, weighted by `amount`, added
 * to the image and clamped to [0,1], so boundaries between tissues brighten
 * while flat regions are unchanged.
 */

export type EdgesOptions = {
  /** Weight of the gradient magnitude added to the image. */
  readonly amount: number;
};

/** Half strength: boundaries stand out without flat dark tissue next to them saturating. */
export const EDGES_DEFAULTS: EdgesOptions = { amount: 0.5 };

const DIFFERENCE = Float64Array.of(-1, 0, 1);
const SMOOTHING = Float64Array.of(1, 2, 1);

/**
 * Sobel gradient magnitude, scaled by 1/4 so that a unit step reads 1 (in
 * intensity per pixel). Equals hypot(ndimage.sobel(x, 0), ndimage.sobel(x, 1)) / 4
 * with scipy's default half-sample "reflect" borders.
 */
export function sobelMagnitude(image: Image2D): Image2D {
  requireGrey(image, 'sobelMagnitude');
  const { width, height, data } = image;
  const gx = correlateSeparable(data, width, height, DIFFERENCE, SMOOTHING);
  const gy = correlateSeparable(data, width, height, SMOOTHING, DIFFERENCE);
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(gx[i]!, gy[i]!) / 4;
  return { width, height, channels: 1, data: out };
}

export function edges(image: Image2D, options: Partial<EdgesOptions> = {}): Image2D {
  const { amount } = { ...EDGES_DEFAULTS, ...options };
  requireGrey(image, 'edges');
  checkParam('edges', 'amount', amount, { min: 0 });
  const magnitude = sobelMagnitude(image).data;
  const out = new Float32Array(magnitude.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, image.data[i]! + amount * magnitude[i]!));
  return { width: image.width, height: image.height, channels: 1, data: out };
}
