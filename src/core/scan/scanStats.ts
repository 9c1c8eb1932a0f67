import type { Scan } from './scan';

export interface ScanStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

/**
 * Min, max, mean and population std of every value after the modality LUT
 * (`rescale`), in float64. NaNs (possible in float NIfTI) are left out.
 */
export function scanStats(scan: Scan): ScanStats {
  const values = scan.voxels;
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! * slope + intercept;
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]! * slope + intercept;
    if (!Number.isNaN(v)) squares += (v - mean) ** 2;
  }
  return { min: count > 0 ? min : 0, max: count > 0 ? max : 0, mean, std: count > 0 ? Math.sqrt(squares / count) : 0 };
}
