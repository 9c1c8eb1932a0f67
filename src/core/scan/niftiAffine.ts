import type { Affine } from './scan';

/** Header fields that decide a NIfTI volume's orientation, read straight from the header bytes. */
export interface NiftiGeometry {
  readonly qformCode: number;
  readonly sformCode: number;
  readonly quatern: readonly [number, number, number];
  readonly qoffset: readonly [number, number, number];
  readonly srow: readonly (readonly number[])[];
  /** pixdim[0..3]: qfac, then x, y, z spacing. */
  readonly pixdim: readonly number[];
  readonly dims: readonly [number, number, number];
}

export function readNiftiGeometry(header: DataView, version: 1 | 2, littleEndian: boolean, dims: readonly [number, number, number]): NiftiGeometry {
  const f = (offset: number): number => (version === 1 ? header.getFloat32(offset, littleEndian) : header.getFloat64(offset, littleEndian));
  const size = version === 1 ? 4 : 8;
  const at = version === 1 ? { pixdim: 76, qform: 252, sform: 254, quatern: 256, srow: 280 } : { pixdim: 104, qform: 344, sform: 348, quatern: 352, srow: 400 };
  const code = (offset: number): number => (version === 1 ? header.getInt16(offset, littleEndian) : header.getInt32(offset, littleEndian));
  const run = (start: number, n: number): number[] => Array.from({ length: n }, (_, i) => f(start + i * size));
  return {
    qformCode: code(at.qform),
    sformCode: code(at.sform),
    quatern: run(at.quatern, 3) as [number, number, number],
    qoffset: run(at.quatern + 3 * size, 3) as [number, number, number],
    srow: [run(at.srow, 4), run(at.srow + 4 * size, 4), run(at.srow + 8 * size, 4)],
    pixdim: run(at.pixdim, 4),
    dims,
  };
}

function qformAffine(g: NiftiGeometry): Affine {
  const [b, c, d] = g.quatern;
  // a is implied by the unit quaternion; rounding can push 1-b²-c²-d² a hair below 0.
  const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
  const qfac = g.pixdim[0] === -1 ? -1 : 1;
  const zoom = [g.pixdim[1]!, g.pixdim[2]!, g.pixdim[3]! * qfac];
  const r = [
    [a * a + b * b - c * c - d * d, 2 * b * c - 2 * a * d, 2 * b * d + 2 * a * c],
    [2 * b * c + 2 * a * d, a * a + c * c - b * b - d * d, 2 * c * d - 2 * a * b],
    [2 * b * d - 2 * a * c, 2 * c * d + 2 * a * b, a * a + d * d - c * c - b * b],
  ];
  return [...r.map((row, i) => [row[0]! * zoom[0]!, row[1]! * zoom[1]!, row[2]! * zoom[2]!, g.qoffset[i]!]), [0, 0, 0, 1]];
}

/** Analyze-style fallback when neither form is set: x flipped, origin at the centre (as nibabel). */
function baseAffine(g: NiftiGeometry): Affine {
  const zoom = [g.pixdim[1] || 1, g.pixdim[2] || 1, g.pixdim[3] || 1];
  const origin = g.dims.map((n) => (n - 1) / 2);
  return [
    [-zoom[0]!, 0, 0, origin[0]! * zoom[0]!],
    [0, zoom[1]!, 0, -origin[1]! * zoom[1]!],
    [0, 0, zoom[2]!, -origin[2]! * zoom[2]!],
    [0, 0, 0, 1],
  ];
}

/** The voxel → RAS affine nibabel's get_best_affine would give: sform, else qform, else the base affine. */
export function niftiAffine(g: NiftiGeometry): Affine {
  if (g.sformCode !== 0) return [...g.srow.map((row) => [...row]), [0, 0, 0, 1]];
  if (g.qformCode !== 0) return qformAffine(g);
  return baseAffine(g);
}

/**
 * Which of the three a header's affine came from, for messages: sform when
 * its code is set, else qform, else the pixdim-only base affine.
 */
export function affineSource(g: NiftiGeometry): string {
  if (g.sformCode !== 0) return 'sform (srow_x/y/z)';
  if (g.qformCode !== 0) return 'qform (quatern_b/c/d, qoffset, pixdim)';
  return 'pixdim';
}

/**
 * Why an affine cannot orient a volume, or undefined when it can: a
 * non-finite entry, a voxel axis of zero length, or voxel axes that (nearly)
 * lie in one plane — |det| of the 3×3 part under 1e-6 of the product of its
 * column lengths, i.e. the axes span no volume.
 */
export function affineProblem(affine: Affine): string | undefined {
  const rows = affine.slice(0, 3);
  if (rows.some((row) => row.slice(0, 4).some((v) => !Number.isFinite(v)))) return 'has non-finite values (NaN or infinity)';
  const column = (j: number): number[] => rows.map((row) => row[j]!);
  const lengths = [0, 1, 2].map((j) => Math.hypot(...column(j)));
  if (lengths.some((l) => l === 0)) return `is degenerate: voxel axis ${'ijk'[lengths.indexOf(0)]} has zero length`;
  const [a, b, c] = [column(0), column(1), column(2)] as [number[], number[], number[]];
  const det = a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - b[0]! * (a[1]! * c[2]! - a[2]! * c[1]!) + c[0]! * (a[1]! * b[2]! - a[2]! * b[1]!);
  if (!(Math.abs(det) >= 1e-6 * lengths[0]! * lengths[1]! * lengths[2]!)) return 'is degenerate: its voxel axes lie in one plane (determinant 0)';
  return undefined;
}
