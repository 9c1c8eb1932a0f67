import { ScanLensError } from '../errors';
import type { InputSpec } from '../model/manifest';
import type { Scan } from '../scan/scan';
import { percentiles } from './percentile';

/**
 * A 3D model's intensity as one line over the whole volume, from the values'
 * statistics (however they are read), and whether a volume's values need
 * checking for non-finite ones.
 */

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The largest magnitude each integer voxel type holds. */
const INTEGER_MAX = new Map<unknown, number>([
  [Uint8Array, 255],
  [Int8Array, 128],
  [Uint16Array, 65535],
  [Int16Array, 32768],
  [Uint32Array, 4294967295],
  [Int32Array, 2147483648],
]);

/** Whether every stored value, rescaled, is finite in float32: integer voxels whose type's whole range fits (no pass needed to check). */
export function alwaysFinite(scan: Scan): boolean {
  const typeMax = INTEGER_MAX.get(scan.voxels.constructor);
  return typeMax !== undefined && Math.abs(scan.rescale?.slope ?? 1) * typeMax + Math.abs(scan.rescale?.intercept ?? 0) < FLOAT32_MAX;
}

/** What the data-dependent intensity modes read of a volume's values (modality units, as float32). */
export interface VolumeValues {
  extent(): [number, number];
  /** Mean and population standard deviation. */
  moments(): [number, number];
  percentiles(ps: readonly number[]): number[];
}

/** The smallest and largest of some values. */
export function extentOf(values: ArrayLike<number>): [number, number] {
  let [min, max] = [Infinity, -Infinity];
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < min) min = values[i]!;
    if (values[i]! > max) max = values[i]!;
  }
  return [min, max];
}

/** The values of a float32 volume. */
export function valuesOf(data: Float32Array): VolumeValues {
  return {
    extent: () => extentOf(data),
    moments: () => {
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i]!;
      const mean = sum / data.length;
      let squares = 0;
      for (let i = 0; i < data.length; i++) squares += (data[i]! - mean) * (data[i]! - mean);
      return [mean, Math.sqrt(squares / data.length)];
    },
    percentiles: (ps) => percentiles(data, ps),
  };
}

/** The manifest's intensity as a line: value v becomes (v − low)·scale, clipped to [0,1] when `clip`, then (· − mean)·inverse. */
export interface IntensityLine {
  readonly low: number;
  readonly scale: number;
  readonly clip: boolean;
  readonly mean: number;
  readonly inverse: number;
}

/**
 * The manifest's intensity for a volume with these values: range, minmax,
 * percentile and window to [0,1] as for slices (clipped but for range),
 * zscore to (v − mean) / std; then mean/std.
 */
export function intensityLine(values: VolumeValues, scan: Scan, input: Pick<InputSpec, 'intensity' | 'mean' | 'std'>): IntensityLine {
  const { intensity } = input;
  let low: number;
  let span: number;
  let clip = true;
  switch (intensity.mode) {
    case 'range':
      [low, span, clip] = [scan.valueRange.min, scan.valueRange.max - scan.valueRange.min, false];
      break;
    case 'minmax': {
      const [min, max] = values.extent();
      [low, span] = [min, max - min];
      break;
    }
    case 'percentile': {
      if (intensity.low >= intensity.high) throw new ScanLensError(`intensity percentile low (${intensity.low}) must be below high (${intensity.high})`);
      const [a, b] = values.percentiles([intensity.low, intensity.high]) as [number, number];
      [low, span] = [a, b - a];
      break;
    }
    case 'window': {
      const center = intensity.center ?? scan.window.center;
      const width = intensity.width ?? scan.window.width;
      [low, span] = [center - width / 2, width];
      break;
    }
    case 'zscore': {
      const [mean, sd] = values.moments();
      [low, span, clip] = [mean, sd > 0 ? sd : 1, false];
      break;
    }
  }
  // A flat volume (no span) maps to zeros, as a flat slice does.
  return { low, scale: span > 0 ? 1 / span : 0, clip, mean: input.mean?.[0] ?? 0, inverse: 1 / (input.std?.[0] ?? 1) };
}
