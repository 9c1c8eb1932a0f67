import { ScanLensError } from '../errors';
import type { Affine, Scan, VoxelArray } from './scan';

export type SliceAxis = 'axial' | 'coronal' | 'sagittal';

export const SLICE_AXES: readonly SliceAxis[] = ['axial', 'coronal', 'sagittal'];

/**
 * For each output dimension (slice, row, column): the RAS world axis it runs
 * along and its direction. Radiological display: patient right on image left,
 * anterior/superior at the top, sagittal with the face to the left.
 */
const DISPLAY: Record<SliceAxis, readonly (readonly [world: number, sign: 1 | -1])[]> = {
  axial: [[2, 1], [1, -1], [0, -1]],
  coronal: [[1, 1], [2, -1], [0, -1]],
  sagittal: [[0, 1], [2, -1], [1, -1]],
};

/** Without orientation, slice along the stored axes (z, y, x) with no flips. */
const STORED: Record<SliceAxis, readonly [number, number, number]> = {
  axial: [2, 1, 0],
  coronal: [1, 2, 0],
  sagittal: [0, 2, 1],
};

interface AxisMap {
  /** Voxel axis (0 = x, 1 = y, 2 = z) for output slice, row, column. */
  readonly voxelAxis: readonly [number, number, number];
  readonly flip: readonly [boolean, boolean, boolean];
}

/**
 * Which voxel axis runs closest to each world axis, greedily by the largest
 * direction cosine (as nibabel's io_orientation does), so oblique scans still
 * get one voxel axis per world axis.
 */
export function voxelAxesOfWorld(affine: Affine): { voxel: number; sign: 1 | -1 }[] {
  const used = new Set<number>();
  const taken = new Set<number>();
  const result: { voxel: number; sign: 1 | -1 }[] = [];
  for (let round = 0; round < 3; round++) {
    let best = { w: -1, v: -1, value: -1 };
    for (let w = 0; w < 3; w++) {
      if (taken.has(w)) continue;
      for (let v = 0; v < 3; v++) {
        if (used.has(v)) continue;
        const norm = Math.hypot(affine[0]![v]!, affine[1]![v]!, affine[2]![v]!) || 1;
        const value = Math.abs(affine[w]![v]!) / norm;
        if (value > best.value) best = { w, v, value };
      }
    }
    taken.add(best.w);
    used.add(best.v);
    result[best.w] = { voxel: best.v, sign: affine[best.w]![best.v]! < 0 ? -1 : 1 };
  }
  return result;
}

function axisMap(scan: Scan, axis: SliceAxis): AxisMap {
  if (!scan.affine) return { voxelAxis: STORED[axis], flip: [false, false, false] };
  const ofWorld = voxelAxesOfWorld(scan.affine);
  const dims = DISPLAY[axis].map(([world, sign]) => ({ voxel: ofWorld[world]!.voxel, flip: ofWorld[world]!.sign !== sign }));
  return { voxelAxis: [dims[0]!.voxel, dims[1]!.voxel, dims[2]!.voxel], flip: [dims[0]!.flip, dims[1]!.flip, dims[2]!.flip] };
}

function newAffine(affine: Affine, map: AxisMap, sizes: readonly number[]): Affine {
  // Output voxel (col, row, slice) = old voxel along (map[2], map[1], map[0]), reversed where flipped.
  const order = [2, 1, 0] as const;
  const rows = [0, 1, 2].map((r) => {
    const row = affine[r]!;
    let offset = row[3]!;
    const cols = order.map((d) => {
      const v = map.voxelAxis[d]!;
      if (map.flip[d]) {
        offset += (sizes[v]! - 1) * row[v]!;
        return -row[v]!;
      }
      return row[v]!;
    });
    return [...cols, offset];
  });
  return [...rows, [0, 0, 0, 1]];
}

/**
 * The scan re-cut so that its slices (first dimension) lie in the named
 * plane, in radiological display orientation. Values are copied unchanged.
 */
export function resliceScan(scan: Scan, axis: SliceAxis): Scan {
  const map = axisMap(scan, axis);
  const [depth, height, width] = scan.shape;
  const c = scan.channels;
  const sizes = [width, height, depth];
  const strides = [c, width * c, width * height * c];
  const identity = map.voxelAxis.every((v, i) => v === 2 - i) && map.flip.every((f) => !f);
  if (identity) return scan;
  const [sa, ra, ca] = map.voxelAxis;
  const [ns, nr, nc] = [sizes[sa]!, sizes[ra]!, sizes[ca]!];
  if (nr * nc === 0) throw new ScanLensError(`cannot cut ${axis} slices from a ${width}×${height}×${depth} scan`, scan.path);
  const step = (d: number): number => (map.flip[d] ? -strides[map.voxelAxis[d]!]! : strides[map.voxelAxis[d]!]!);
  const start = map.voxelAxis.reduce((sum, v, d) => sum + (map.flip[d] ? (sizes[v]! - 1) * strides[v]! : 0), 0);
  const [ss, rs, cs] = [step(0), step(1), step(2)];
  const source = scan.voxels;
  const out = new (source.constructor as new (n: number) => VoxelArray)(source.length);
  let o = 0;
  for (let s = 0; s < ns; s++) {
    for (let r = 0; r < nr; r++) {
      let i = start + s * ss + r * rs;
      for (let col = 0; col < nc; col++, i += cs) {
        for (let k = 0; k < c; k++) out[o++] = source[i + k]!;
      }
    }
  }
  const spacing = scan.spacing;
  const zyx = (v: number): number => (spacing ? spacing[2 - v]! : 1);
  return {
    ...scan,
    shape: [ns, nr, nc],
    voxels: out,
    spacing: spacing ? [zyx(sa), zyx(ra), zyx(ca)] : undefined,
    ...(scan.affine ? { affine: newAffine(scan.affine, map, sizes) } : {}),
  };
}
