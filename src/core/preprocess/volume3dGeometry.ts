import type { InputSpec } from '../model/manifest';
import { voxelAxesOfWorld } from '../scan/reslice';
import type { Scan } from '../scan/scan';

/**
 * Where prepareVolume puts each of the scan's voxels in the model's tensor,
 * so a map on the tensor grid can be taken back to the scan. Each tensor axis
 * (D, H, W along R, A, S) is one stored voxel axis, possibly reversed
 * (reorientation is a permutation and flips only), scaled by the resampling
 * and shifted by the crop or pad: stored voxel index x along `voxel` lies at
 * the continuous tensor coordinate `start + step·x`.
 */
export interface VolumeGeometry {
  /** Per tensor axis D, H, W: the stored voxel axis (0 = x, 1 = y, 2 = z) and the line c = start + step·x. */
  readonly axes: readonly [TensorAxis, TensorAxis, TensorAxis];
  /** The tensor's [depth, height, width]. */
  readonly tensor: readonly [number, number, number];
  /** The scan's stored voxels along x, y, z. */
  readonly scan: readonly [number, number, number];
}

export interface TensorAxis {
  readonly voxel: number;
  readonly start: number;
  readonly step: number;
}

/** For each RAS axis, the stored voxel axis (0 = x, 1 = y, 2 = z) it runs along, whether it runs backwards, and its spacing in mm. */
export function rasAxes(scan: Scan): { voxel: number; flip: boolean; spacing: number }[] {
  if (!scan.affine) {
    // No orientation recorded: the stored axes are taken as they come, at the recorded spacing ([z, y, x]) or 1 mm.
    const [sz, sy, sx] = scan.spacing ?? [1, 1, 1];
    return [sx, sy, sz].map((spacing, voxel) => ({ voxel, flip: false, spacing }));
  }
  const affine = scan.affine;
  return voxelAxesOfWorld(affine).map(({ voxel, sign }) => ({ voxel, flip: sign < 0, spacing: Math.hypot(affine[0]![voxel]!, affine[1]![voxel]!, affine[2]![voxel]!) }));
}

/** Voxels along an axis of n voxels at spacing `from` once resampled to `to`, first voxel centre kept (MONAI's compute_shape_offset). */
export function resampledCount(n: number, from: number, to: number): number {
  return Math.max(1, Math.round(((n - 1) * from) / to) + 1);
}

/** The first source index a centred crop or pad of n voxels to `size` reads at output 0 (negative when padding), as MONAI's ResizeWithPadOrCrop. */
export function cropOffset(n: number, size: number): number {
  return n >= size ? Math.floor(n / 2) - Math.floor(size / 2) : -Math.floor((size - n) / 2);
}

/**
 * The geometry of prepareVolume(scan, input): RAS axis a reads stored axis
 * v (reversed when flipped: r = n − 1 − x), resampling puts RAS voxel r at
 * r·from/to resampled voxels, and the crop or pad subtracts its offset.
 */
export function volumeGeometry(scan: Scan, input: Pick<InputSpec, 'size' | 'spacing'>): VolumeGeometry {
  const [depth, height, width] = scan.shape;
  const sizes = [width, height, depth] as const;
  const tensor = [input.size.depth ?? 1, input.size.height, input.size.width] as const;
  const [d, h, w] = rasAxes(scan).map(({ voxel, flip, spacing }, a): TensorAxis => {
    const n = sizes[voxel]!;
    const to = input.spacing?.[a] ?? spacing;
    const scale = spacing === to ? 1 : spacing / to;
    const offset = cropOffset(spacing === to ? n : resampledCount(n, spacing, to), tensor[a]!);
    return flip ? { voxel, start: (n - 1) * scale - offset, step: -scale } : { voxel, start: -offset, step: scale };
  });
  return { axes: [d!, h!, w!], tensor, scan: sizes };
}
