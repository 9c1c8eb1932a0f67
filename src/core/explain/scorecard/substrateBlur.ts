import type { InputSpec } from '../../model/manifest';
import { at, pixelCount } from '../tensorPixels';

/** RISE's blur kernel size and width: gkern(11, 5). */
const KERNEL = 11;
const SIGMA = 5;

/**
 * One row of RISE's gkern(klen, nsig): scipy's gaussian_filter (truncate 4,
 * mode 'reflect', which mirrors the edge sample too) of a centred delta. The
 * 2-D kernel is its outer product with itself.
 */
function kernelRow(): Float64Array {
  const radius = Math.floor(4 * SIGMA + 0.5);
  const weights = Array.from({ length: 2 * radius + 1 }, (_, j) => Math.exp(-0.5 * ((j - radius) / SIGMA) ** 2));
  const total = weights.reduce((a, b) => a + b, 0);
  const reflect = (i: number): number => {
    const m = ((i % (2 * KERNEL)) + 2 * KERNEL) % (2 * KERNEL);
    return m < KERNEL ? m : 2 * KERNEL - 1 - m;
  };
  const row = new Float64Array(KERNEL);
  const centre = Math.floor(KERNEL / 2);
  for (let i = 0; i < KERNEL; i++) for (let j = 0; j < weights.length; j++) if (reflect(i + j - radius) === centre) row[i]! += weights[j]! / total;
  return row;
}

/**
 * The insertion metric's starting image: RISE's blur, every channel
 * convolved with gkern(11, 5) and zero padding of 5 (so the edges darken
 * towards 0, the dataset mean in the model's input space).
 */
export function blurredInput(input: Float32Array, spec: InputSpec): Float32Array {
  const { width, height } = spec.size;
  const row = kernelRow();
  const half = Math.floor(KERNEL / 2);
  const out = new Float32Array(input.length);
  const n = pixelCount(spec);
  const plane = new Float64Array(n);
  const across = new Float64Array(n);
  for (let c = 0; c < spec.channels; c++) {
    for (let i = 0; i < n; i++) plane[i] = input[at(spec, i, c)]!;
    // Separable: along x, then along y; outside the image counts as 0.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < KERNEL; k++) {
          const xx = x + k - half;
          if (xx >= 0 && xx < width) sum += row[k]! * plane[y * width + xx]!;
        }
        across[y * width + x] = sum;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        for (let k = 0; k < KERNEL; k++) {
          const yy = y + k - half;
          if (yy >= 0 && yy < height) sum += row[k]! * across[yy * width + x]!;
        }
        out[at(spec, y * width + x, c)] = sum;
      }
    }
  }
  return out;
}
