import { ScanLensError } from '../errors';
import { SLICE_AXES, type SliceAxis } from '../vocabulary/axes';
import { sliceOf, type Affine, type Scan, type VoxelArray } from './scan';

export { SLICE_AXES, type SliceAxis };

/**
 * For each output dimension (slice, row, column): the RAS world axis it runs
 * along and its direction. Radiological display: patient right on image left,
 * anterior/superior at the top, sagittal with the face to the left.
 */
const DISPLAY: Record<SliceAxis, readonly (readonly [world: number, sign: 1 | -1])[]> = {
  axial: [
    [2, 1],
    [1, -1],
    [0, -1],
  ],
  coronal: [
    [1, 1],
    [2, -1],
    [0, -1],
  ],
  sagittal: [
    [0, 1],
    [2, -1],
    [1, -1],
  ],
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

function isIdentity(map: AxisMap): boolean {
  return map.voxelAxis.every((v, i) => v === 2 - i) && map.flip.every((f) => !f);
}

/** Shape, spacing and affine of resliceScan(scan, axis), without copying a voxel: what a viewer shows before it needs the plane. */
export function reslicedGeometry(scan: Scan, axis: SliceAxis): Pick<Scan, 'shape' | 'spacing' | 'affine'> {
  const map = axisMap(scan, axis);
  if (isIdentity(map)) return { shape: scan.shape, spacing: scan.spacing, affine: scan.affine };
  const [depth, height, width] = scan.shape;
  const sizes = [width, height, depth];
  const [sa, ra, ca] = map.voxelAxis;
  const spacing = scan.spacing;
  const zyx = (v: number): number => (spacing ? spacing[2 - v]! : 1);
  return {
    shape: [sizes[sa]!, sizes[ra]!, sizes[ca]!],
    spacing: spacing ? [zyx(sa), zyx(ra), zyx(ca)] : undefined,
    affine: scan.affine ? newAffine(scan.affine, map, sizes) : undefined,
  };
}

/** Where the planes of a cut are read from in the stored voxels: first voxel, steps per slice, row and column, and the cut's sizes. */
interface Cut {
  readonly start: number;
  readonly steps: readonly [number, number, number];
  readonly sizes: readonly [number, number, number];
}

/** The cut along `axis`; undefined when the stored order already is the display order. */
function cutOf(scan: Scan, axis: SliceAxis): Cut | undefined {
  const map = axisMap(scan, axis);
  if (isIdentity(map)) return undefined;
  const [depth, height, width] = scan.shape;
  const c = scan.channels;
  const sizes = [width, height, depth];
  const strides = [c, width * c, width * height * c];
  const [sa, ra, ca] = map.voxelAxis;
  const [ns, nr, nc] = [sizes[sa]!, sizes[ra]!, sizes[ca]!];
  if (nr * nc === 0) throw new ScanLensError(`cannot cut ${axis} slices from a ${width}×${height}×${depth} scan`, scan.path);
  const step = (d: number): number => (map.flip[d] ? -strides[map.voxelAxis[d]!]! : strides[map.voxelAxis[d]!]!);
  const start = map.voxelAxis.reduce((sum, v, d) => sum + (map.flip[d] ? (sizes[v]! - 1) * strides[v]! : 0), 0);
  return { start, steps: [step(0), step(1), step(2)], sizes: [ns, nr, nc] };
}

/** Copies planes `from` to `to` (exclusive) of the cut into `out`, from its start. */
function copyPlanes(scan: Scan, cut: Cut, from: number, to: number, out: VoxelArray): void {
  const [ss, rs, cs] = cut.steps;
  const [, nr, nc] = cut.sizes;
  const c = scan.channels;
  const source = scan.voxels;
  let o = 0;
  for (let s = from; s < to; s++) {
    for (let r = 0; r < nr; r++) {
      let i = cut.start + s * ss + r * rs;
      for (let col = 0; col < nc; col++, i += cs) {
        for (let k = 0; k < c; k++) out[o++] = source[i + k]!;
      }
    }
  }
}

const voxelsLike = (scan: Scan, n: number): VoxelArray => new (scan.voxels.constructor as new (n: number) => VoxelArray)(n);

/**
 * The scan re-cut so that its slices (first dimension) lie in the named
 * plane, in radiological display orientation. Values are copied unchanged.
 */
export function resliceScan(scan: Scan, axis: SliceAxis): Scan {
  const cut = cutOf(scan, axis);
  if (!cut) return scan;
  const out = voxelsLike(scan, scan.voxels.length);
  copyPlanes(scan, cut, 0, cut.sizes[0], out);
  const { spacing, affine } = reslicedGeometry(scan, axis);
  return { ...scan, shape: cut.sizes, voxels: out, spacing, ...(affine ? { affine } : {}) };
}

/**
 * sliceOf(resliceScan(scan, axis), index), copying that one plane only:
 * a viewer shows a slice without first cutting the whole volume.
 */
export function reslicedSlice(scan: Scan, axis: SliceAxis, index: number): Scan {
  const cut = cutOf(scan, axis);
  if (!cut) return sliceOf(scan, index);
  const [depth, height, width] = cut.sizes;
  if (index < 0 || index >= depth) throw new RangeError(`slice ${index} is outside 0..${depth - 1}`);
  const plane = voxelsLike(scan, height * width * scan.channels);
  copyPlanes(scan, cut, index, index + 1, plane);
  const { spacing, affine } = reslicedGeometry(scan, axis);
  return { ...scan, shape: [1, height, width], voxels: plane, spacing, ...(affine ? { affine } : {}) };
}

/**
 * The inverse of reslicedSlice: writes one plane of the cut along `axis`
 * (rows and columns in display orientation, one value per pixel per channel)
 * back into `scan.voxels` where that plane's voxels are stored, so a map made
 * slice by slice lands on the scan's own grid.
 */
export function placeReslicedSlice(scan: Scan, axis: SliceAxis, index: number, plane: ArrayLike<number>): void {
  const cut = cutOf(scan, axis) ?? { start: 0, steps: [scan.shape[1] * scan.shape[2] * scan.channels, scan.shape[2] * scan.channels, scan.channels], sizes: scan.shape };
  const [ss, rs, cs] = cut.steps;
  const [depth, nr, nc] = cut.sizes;
  if (index < 0 || index >= depth) throw new RangeError(`slice ${index} is outside 0..${depth - 1}`);
  const c = scan.channels;
  if (plane.length !== nr * nc * c) throw new RangeError(`a ${axis} plane has ${nr * nc * c} values, not ${plane.length}`);
  const target = scan.voxels;
  let o = 0;
  for (let r = 0; r < nr; r++) {
    let i = cut.start + index * ss + r * rs;
    for (let col = 0; col < nc; col++, i += cs) {
      for (let k = 0; k < c; k++) target[i + k] = plane[o++]!;
    }
  }
}
