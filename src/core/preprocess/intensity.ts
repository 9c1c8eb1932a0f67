import { ScanLensError } from '../errors';
import type { Image2D } from '../image';
import type { Intensity } from '../model/manifest';
import { sliceImage, type Scan } from '../scan/scan';

function percentileOf(sorted: Float32Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

function bounds(image: Image2D, scan: Scan, intensity: Intensity): { low: number; high: number } {
  switch (intensity.mode) {
    case 'range':
      return { low: scan.valueRange.min, high: scan.valueRange.max };
    case 'minmax': {
      let low = Infinity;
      let high = -Infinity;
      for (const v of image.data) {
        if (v < low) low = v;
        if (v > high) high = v;
      }
      return { low, high };
    }
    case 'percentile': {
      const sorted = Float32Array.from(image.data).sort();
      return { low: percentileOf(sorted, intensity.low), high: percentileOf(sorted, intensity.high) };
    }
    case 'window': {
      const center = intensity.center ?? scan.window.center;
      const width = intensity.width ?? scan.window.width;
      return { low: center - width / 2, high: center + width / 2 };
    }
    case 'zscore': {
      // low + span is mean + one standard deviation, so stretch gives (v - mean) / std; a flat image divides by 1.
      let sum = 0;
      for (const v of image.data) sum += v;
      const mean = sum / Math.max(1, image.data.length);
      let squares = 0;
      for (const v of image.data) squares += (v - mean) * (v - mean);
      const sd = Math.sqrt(squares / Math.max(1, image.data.length));
      return { low: mean, high: mean + (sd > 0 ? sd : 1) };
    }
  }
}

function checkPercentiles(intensity: Intensity): void {
  if (intensity.mode === 'percentile' && intensity.low >= intensity.high) {
    throw new ScanLensError(`intensity percentile low (${intensity.low}) must be below high (${intensity.high})`);
  }
}

/** n values from `offset`, each as the float32 slope·v + intercept, stretched from [low, low + span] (clamped when `clip`); all zeros without a span. */
function stretch(source: ArrayLike<number>, offset: number, n: number, slope: number, intercept: number, low: number, span: number, clip: boolean): Float32Array {
  const out = new Float32Array(n);
  if (span > 0) {
    for (let i = 0; i < n; i++) {
      const v = (Math.fround(source[offset + i]! * slope + intercept) - low) / span;
      out[i] = clip ? Math.min(1, Math.max(0, v)) : v;
    }
  }
  return out;
}

/**
 * Maps stored values to [0,1] as the manifest's intensity mode says. A flat
 * image (no range) maps to zeros rather than dividing by zero.
 */
export function toUnitRange(image: Image2D, scan: Scan, intensity: Intensity): Image2D {
  checkPercentiles(intensity);
  const { low, high } = bounds(image, scan, intensity);
  return { ...image, data: stretch(image.data, 0, image.data.length, 1, 0, low, high - low, intensity.mode !== 'range' && intensity.mode !== 'zscore') };
}

/**
 * toUnitRange(sliceImage(scan, z), scan, intensity), to the bit, straight
 * from the stored values when the bounds do not depend on the slice (range,
 * window): one float image fewer per model input.
 */
export function unitSlice(scan: Scan, z: number, intensity: Intensity): Image2D {
  if (intensity.mode !== 'range' && intensity.mode !== 'window') return toUnitRange(sliceImage(scan, z), scan, intensity);
  const [depth, height, width] = scan.shape;
  if (z < 0 || z >= depth) throw new RangeError(`slice ${z} is outside 0..${depth - 1}`);
  const n = width * height * scan.channels;
  const { low, high } = bounds({ width, height, channels: scan.channels, data: new Float32Array(0) }, scan, intensity);
  const data = stretch(scan.voxels, z * n, n, scan.rescale?.slope ?? 1, scan.rescale?.intercept ?? 0, low, high - low, intensity.mode !== 'range');
  return { width, height, channels: scan.channels, data };
}
