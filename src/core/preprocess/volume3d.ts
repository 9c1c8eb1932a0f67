import { ScanLensError } from '../errors';
import type { InputSpec } from '../model/manifest';
import type { Scan } from '../scan/scan';
import { matchGrid } from './matchGrid';
import { linearAlongAxis } from './linearAlongAxis';
import { prepareVolumeDirect } from './volume3dDirect';
import { alwaysFinite, intensityLine, valuesOf } from './volume3dIntensity';
import { cropOffset, rasAxes, resampledCount } from './volume3dGeometry';

/**
 * A 3D model's input from a whole volume, as MONAI users prepare one:
 * reorient to RAS (LoadImage + Orientation('RAS')), resample to the
 * manifest's spacing (Spacing, trilinear), intensity (the 2D modes, or
 * z-score as NormalizeIntensity), mean/std, then crop or pad about the centre
 * (ResizeWithPadOrCrop, zeros). Intensity statistics are the resampled
 * volume's, before the crop, as in a MONAI pipeline that scales before it crops.
 */

/** A volume on a RAS grid: `data[(i·ny + j)·nz + k]` is voxel (i, j, k) along R, A, S, as nibabel's array of a canonical image. */
export interface RasVolume {
  readonly data: Float32Array;
  /** Voxels along R, A, S. */
  readonly dims: readonly [number, number, number];
  /** mm along R, A, S. */
  readonly spacing: readonly [number, number, number];
}

/**
 * The scan's voxels in modality units on the RAS grid: an axis permutation
 * and flips only, as nibabel's as_closest_canonical (an oblique scan's axes
 * go to the world axes they lie closest to). A non-finite voxel is refused by name.
 */
export function reorientToRas(scan: Scan): RasVolume {
  if (scan.channels !== 1) throw new ScanLensError(`a 3D model takes one channel; this scan has ${scan.channels} (RGB)`, scan.path);
  const [depth, height, width] = scan.shape;
  const sizes = [width, height, depth];
  const strides = [1, width, width * height];
  const axes = rasAxes(scan);
  const dims = axes.map((a) => sizes[a.voxel]!) as [number, number, number];
  // Where output (i, j, k) reads: a start and a step per RAS axis, in stored voxels.
  const start = axes.reduce((sum, a) => sum + (a.flip ? (sizes[a.voxel]! - 1) * strides[a.voxel]! : 0), 0);
  const [si, sj, sk] = axes.map((a) => (a.flip ? -1 : 1) * strides[a.voxel]!) as [number, number, number];
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  const source = scan.voxels;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  let at = 0;
  for (let i = 0; i < dims[0]; i++) {
    for (let j = 0; j < dims[1]; j++) {
      let from = start + i * si + j * sj;
      for (let k = 0; k < dims[2]; k++, from += sk) data[at++] = source[from]! * slope + intercept;
    }
  }
  // Checked once on the float32 values, in a loop of its own: a rescale beyond float32's range is caught too.
  if (!alwaysFinite(scan)) {
    for (let v = 0; v < data.length; v++) {
      if (!Number.isFinite(data[v]!)) {
        const [i, j, k] = [Math.floor(v / (dims[1] * dims[2])), Math.floor(v / dims[2]) % dims[1], v % dims[2]];
        throw new ScanLensError(`voxel (${i}, ${j}, ${k}) of the volume reoriented to RAS is ${data[v]}: a 3D model cannot take it`, scan.path);
      }
    }
  }
  return { data, dims, spacing: axes.map((a) => a.spacing) as [number, number, number] };
}

/**
 * Trilinear resampling to `spacing` (mm along R, A, S), one axis at a time
 * (the same numbers as trilinear interpolation): output voxel t of an axis
 * lies at t·to/from source voxels, so the first voxel centre stays where it
 * was and the extent is kept to the nearest voxel; beyond the last voxel the border value repeats.
 */
export function resampleVolume(volume: RasVolume, spacing: readonly [number, number, number]): RasVolume {
  let data = volume.data;
  const dims = [...volume.dims] as [number, number, number];
  for (let axis = 0; axis < 3; axis++) {
    const [from, to] = [volume.spacing[axis]!, spacing[axis]!];
    if (from === to) continue;
    const m = resampledCount(dims[axis]!, from, to);
    const before = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const step = to / from;
    data = linearAlongAxis(
      data,
      before,
      dims[axis]!,
      after,
      m,
      (t) => t * step,
      (length) => new Float32Array(length),
    );
    dims[axis] = m;
  }
  return { data, dims, spacing: [...spacing] as [number, number, number] };
}

/** The manifest's intensity on the whole volume, in place (intensityLine on its own values). */
export function volumeIntensity(data: Float32Array, scan: Scan, input: Pick<InputSpec, 'intensity' | 'mean' | 'std'>): void {
  const { low, scale, clip, mean, inverse } = intensityLine(valuesOf(data), scan, input);
  for (let i = 0; i < data.length; i++) {
    let v = (data[i]! - low) * scale;
    if (clip) v = v < 0 ? 0 : v > 1 ? 1 : v;
    data[i] = (v - mean) * inverse;
  }
}

/** Crops or pads (zeros) each axis about its centre to `size`, as MONAI's ResizeWithPadOrCrop: pad ⌊(size − n)/2⌋ before, or crop from ⌊n/2⌋ − ⌊size/2⌋. */
export function cropOrPad(volume: Pick<RasVolume, 'data' | 'dims'>, size: readonly [number, number, number], out: Float32Array = new Float32Array(size[0] * size[1] * size[2])): Float32Array {
  // For each axis: the first source index read at output 0 (negative when padding).
  const offset = volume.dims.map((n, a) => cropOffset(n, size[a]!));
  const [nx, ny, nz] = volume.dims;
  out.fill(0);
  for (let i = 0; i < size[0]; i++) {
    const si = i + offset[0]!;
    if (si < 0 || si >= nx) continue;
    for (let j = 0; j < size[1]; j++) {
      const sj = j + offset[1]!;
      if (sj < 0 || sj >= ny) continue;
      const [k0, k1] = [Math.max(0, -offset[2]!), Math.min(size[2], nz - offset[2]!)];
      if (k1 <= k0) continue;
      const from = (si * ny + sj) * nz + k0 + offset[2]!;
      out.set(volume.data.subarray(from, from + (k1 - k0)), (i * size[1] + j) * size[2] + k0);
    }
  }
  return out;
}

/** One channel step by step: reorient to RAS, resample, intensity on the whole resampled volume, crop or pad into `out`. */
export function prepareChannel(scan: Scan, input: Pick<InputSpec, 'intensity' | 'mean' | 'std' | 'spacing'>, size: readonly [number, number, number], out: Float32Array): void {
  const ras = reorientToRas(scan);
  const resampled = input.spacing ? resampleVolume(ras, input.spacing) : ras;
  volumeIntensity(resampled.data, scan, input);
  cropOrPad(resampled, size, out);
}

/** What error lines call channel c: its sequence, else its place. */
const channelName = (input: Pick<InputSpec, 'sequences'>, c: number): string => input.sequences?.[c] ?? `channel ${c}`;

/**
 * A whole volume as a 3D model's input: [C, D, H, W] for one batch item (D,
 * H, W along R, A, S), from one scan per channel (one MRI sequence each, in
 * the manifest's channel order). Every sequence is first put on the first
 * one's voxel grid through world coordinates (matchGrid), then each channel
 * goes through the pipeline on its own: its own intensity statistics (MONAI's
 * NormalizeIntensity with channel_wise=True for zscore, per-channel
 * percentiles) and its own mean/std value when the manifest gives one per
 * channel. A one-slice scan is refused: it is an image.
 */
export function prepareVolume(scans: Scan | readonly Scan[], input: InputSpec): Float32Array {
  const list = 'voxels' in scans ? [scans] : scans;
  const first = list[0]!;
  if (input.layout !== 'NCDHW' || input.size.depth === undefined) throw new ScanLensError(`a ${input.layout} model takes 2D slices, not a whole volume`);
  if (list.length !== input.channels) {
    const names = input.sequences ? ` (${input.sequences.join(', ')})` : '';
    throw new ScanLensError(`this 3D model takes ${input.channels} channel(s)${names}, one volume each; ${list.length} given`, first.path);
  }
  if (first.shape[0] < 2) throw new ScanLensError(`a 3D model (NCDHW) takes volumes; this is a 2D image (${first.shape[2]}×${first.shape[1]}, one slice)`, first.path);
  const size = [input.size.depth, input.size.height, input.size.width] as const;
  const n = size[0] * size[1] * size[2];
  const out = new Float32Array(n * list.length);
  list.forEach((scan, c) => {
    const matched = c === 0 ? scan : matchGrid(first, scan, channelName(input, c));
    const channel = { intensity: input.intensity, spacing: input.spacing, mean: [input.mean?.[c] ?? input.mean?.[0] ?? 0], std: [input.std?.[c] ?? input.std?.[0] ?? 1] };
    const target = out.subarray(c * n, (c + 1) * n);
    if (!prepareVolumeDirect(matched, channel, size, target)) prepareChannel(matched, channel, size, target);
  });
  return out;
}
