import type { Image2D } from '../image';
import { correlateSeparable } from './separable';
import { requireGrey } from './validate';

/**
 * Separable Gaussian blur with scipy.ndimage.gaussian_filter's conventions:
 * the kernel reaches 4 sigma (radius = round(4·sigma)), is normalised to sum
 * to 1 so the mean is preserved, and borders reflect half-sample symmetric.
 */

const TRUNCATE = 4;

export function gaussianKernel(sigma: number): Float64Array {
  if (!Number.isFinite(sigma) || sigma <= 0) throw new RangeError(`gaussianKernel: sigma must be > 0, got ${sigma}`);
  const radius = Math.floor(TRUNCATE * sigma + 0.5);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp((-0.5 * i * i) / (sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return kernel;
}

export function gaussianBlur(image: Image2D, sigma: number): Image2D {
  requireGrey(image, 'gaussianBlur');
  const kernel = gaussianKernel(sigma);
  const data = correlateSeparable(image.data, image.width, image.height, kernel, kernel);
  return { width: image.width, height: image.height, channels: 1, data };
}
