import type { Image2D } from '../../../src/core/image';
import { rng } from '../../fuzz/mutate';

/** Test images built from a formula, and the statistics the tests judge them by. */

export function imageFrom(width: number, height: number, value: (x: number, y: number) => number): Image2D {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y);
  return { width, height, channels: 1, data };
}

/** A deterministic pseudo-random source, so noisy inputs are the same on every run. */
export const seededRandom = rng;

/** Normal deviates by Box–Muller from a seeded uniform source. */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

export function std(values: ArrayLike<number>): number {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2;
  return Math.sqrt(sum / values.length);
}

export function at(image: Image2D, x: number, y: number): number {
  return image.data[y * image.width + x]!;
}

export const rgbImage: Image2D = { width: 2, height: 2, channels: 3, data: new Float32Array(12) };
