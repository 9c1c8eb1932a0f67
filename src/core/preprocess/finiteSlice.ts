import { ScanLensError } from '../errors';
import type { Scan } from '../scan/scan';

/** The largest float32: model inputs are float32, so a modality value past it is ±Infinity by the time a model sees it. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The largest magnitude an integer voxel type holds; undefined for float types, which may hold NaN or ±Infinity themselves. */
function integerBound(voxels: Scan['voxels']): number | undefined {
  if (voxels instanceof Float32Array || voxels instanceof Float64Array) return undefined;
  const bytes = voxels.BYTES_PER_ELEMENT;
  return 2 ** (8 * bytes);
}

/**
 * Refuses slice `z` when any of its values in modality units (stored value ×
 * slope + intercept, as float32) is NaN or ±Infinity: a NaN or infinite value
 * makes every probability, score or map computed from the slice NaN (null in
 * JSON), which would otherwise pass for a result. The error names the file,
 * the slice, how many values and the rescale. Integer voxels with a finite,
 * modest rescale cannot overflow, so those slices are not read at all.
 */
export function checkFiniteSlice(scan: Scan, z: number): void {
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  const rescale = scan.rescale ? ` (rescale slope ${slope}, intercept ${intercept})` : '';
  if (!Number.isFinite(slope) || !Number.isFinite(intercept)) {
    throw new ScanLensError(`rescale is not finite${rescale}: ScanLens refuses scans with NaN or infinite values`, scan.path);
  }
  const bound = integerBound(scan.voxels);
  if (bound !== undefined && Math.abs(slope) * bound + Math.abs(intercept) < FLOAT32_MAX) return;
  const [depth, height, width] = scan.shape;
  const n = width * height * scan.channels;
  const offset = z * n;
  let bad = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(Math.fround(scan.voxels[offset + i]! * slope + intercept))) bad++;
  if (bad > 0) {
    const where = depth > 1 ? `slice index ${z} has` : 'has';
    throw new ScanLensError(`${where} ${bad} of ${n} values that are NaN or infinite in float32${rescale}: ScanLens refuses scans with NaN or infinite values`, scan.path);
  }
}
