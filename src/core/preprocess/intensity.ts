import { ScanLensError } from '../errors';
import type { Image2D } from '../image';
import type { Intensity } from '../model/manifest';
import type { Scan } from '../scan/scan';

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
  }
}

/**
 * Maps stored values to [0,1] as the manifest's intensity mode says. A flat
 * image (no range) maps to zeros rather than dividing by zero.
 */
export function toUnitRange(image: Image2D, scan: Scan, intensity: Intensity): Image2D {
  if (intensity.mode === 'percentile' && intensity.low >= intensity.high) {
    throw new ScanLensError(`intensity percentile low (${intensity.low}) must be below high (${intensity.high})`);
  }
  const { low, high } = bounds(image, scan, intensity);
  const span = high - low;
  const out = new Float32Array(image.data.length);
  if (span > 0) {
    const clip = intensity.mode !== 'range';
    for (let i = 0; i < out.length; i++) {
      const v = (image.data[i]! - low) / span;
      out[i] = clip ? Math.min(1, Math.max(0, v)) : v;
    }
  }
  return { ...image, data: out };
}
