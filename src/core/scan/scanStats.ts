import type { Scan } from './scan';

export interface ScanStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

/** Min, max, mean and population std of every stored value, in float64. */
export function scanStats(scan: Scan): ScanStats {
  const values = scan.voxels;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = values.length > 0 ? sum / values.length : 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { min, max, mean, std: values.length > 0 ? Math.sqrt(squares / values.length) : 0 };
}
