import type { InputSpec } from '../model/manifest';
import type { Scan } from '../scan/scan';
import { alwaysFinite, extentOf, intensityLine, type VolumeValues } from './volume3dIntensity';
import { percentiles } from './percentile';
import { cropOffset, rasAxes } from './volume3dGeometry';

/** Voxel types of up to 16 bits: how many values they hold, and the offset from the smallest to table index 0. */
const TABLE_BIAS = new Map<unknown, { size: number; bias: number }>([
  [Uint8Array, { size: 256, bias: 0 }],
  [Int8Array, { size: 256, bias: 128 }],
  [Uint16Array, { size: 65536, bias: 0 }],
  [Int16Array, { size: 65536, bias: 32768 }],
]);

/**
 * prepareVolume's pipeline for one channel that needs no resampling, in one
 * pass from the stored voxels to the tensor: reorientation is a permutation
 * and flips, so each tensor voxel inside the crop reads its stored voxel
 * directly, and the intensity's statistics are those of the stored values
 * (the same multiset). Writes the same float32 values as reorient →
 * intensity → crop/pad, without the two whole-volume copies between.
 * Returns false, having written nothing, when the general path must run:
 * resampling is needed, or a value is not finite (the general path names it).
 */
export function prepareVolumeDirect(scan: Scan, input: Pick<InputSpec, 'intensity' | 'mean' | 'std' | 'spacing'>, size: readonly [number, number, number], out: Float32Array): boolean {
  const axes = rasAxes(scan);
  if (input.spacing && axes.some((a, i) => a.spacing !== input.spacing![i])) return false;
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  const source = scan.voxels;
  if (!alwaysFinite(scan)) {
    for (let v = 0; v < source.length; v++) if (!Number.isFinite(Math.fround(source[v]! * slope + intercept))) return false;
  }
  const [depth, height, width] = scan.shape;
  const sizes = [width, height, depth];
  const strides = [1, width, width * height];
  // Per tensor axis: the first RAS index read (negative when padding), its stride in the stored voxels, and the valid output range.
  const dims = axes.map((a) => sizes[a.voxel]!);
  const offset = dims.map((n, a) => cropOffset(n, size[a]!));
  const stride = axes.map((a) => (a.flip ? -1 : 1) * strides[a.voxel]!);
  const origin = axes.reduce((sum, a) => sum + (a.flip ? (sizes[a.voxel]! - 1) * strides[a.voxel]! : 0), 0);
  const from = offset.map((o) => Math.max(0, -o));
  const to = dims.map((n, a) => Math.min(size[a]!, n - offset[a]!));
  const line = intensityLine(storedValues(scan), scan, input);
  const tensorValue = (stored: number): number => {
    // Math.fround: the value reorientation stores in float32.
    const v = (Math.fround(stored * slope + intercept) - line.low) * line.scale;
    return ((line.clip ? (v < 0 ? 0 : v > 1 ? 1 : v) : v) - line.mean) * line.inverse;
  };
  // Voxels of up to 16 bits take their tensor value from a table of every stored value: one read per voxel.
  const table = TABLE_BIAS.get(source.constructor);
  const values = table === undefined ? undefined : Float32Array.from({ length: table.size }, (_, i) => tensorValue(i - table.bias));
  const bias = table?.bias ?? 0;
  const [si, sj, sk] = stride as [number, number, number];
  out.fill(0);
  for (let i = from[0]!; i < to[0]!; i++) {
    for (let j = from[1]!; j < to[1]!; j++) {
      let at = (i * size[1] + j) * size[2] + from[2]!;
      let read = origin + (i + offset[0]!) * si + (j + offset[1]!) * sj + (from[2]! + offset[2]!) * sk;
      if (values) for (let k = from[2]!; k < to[2]!; k++, read += sk) out[at++] = values[source[read]! + bias]!;
      else for (let k = from[2]!; k < to[2]!; k++, read += sk) out[at++] = tensorValue(source[read]!);
    }
  }
  return true;
}

/** The stored voxels' values in modality units, as reorientation stores them (float32), without the copy but for percentiles. */
function storedValues(scan: Scan): VolumeValues {
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  const source = scan.voxels;
  const value = (v: number): number => Math.fround(source[v]! * slope + intercept);
  return {
    extent: () => {
      const [min, max] = extentOf(source);
      // The rescale is monotonic (reversed for a negative slope), and so is rounding to float32.
      const [a, b] = [Math.fround(min * slope + intercept), Math.fround(max * slope + intercept)];
      return a <= b ? [a, b] : [b, a];
    },
    moments: () => {
      let sum = 0;
      for (let v = 0; v < source.length; v++) sum += value(v);
      const mean = sum / source.length;
      let squares = 0;
      for (let v = 0; v < source.length; v++) {
        const d = value(v) - mean;
        squares += d * d;
      }
      return [mean, Math.sqrt(squares / source.length)];
    },
    percentiles: (ps) => {
      const values = new Float32Array(source.length);
      for (let v = 0; v < source.length; v++) values[v] = source[v]! * slope + intercept;
      return percentiles(values, ps);
    },
  };
}
