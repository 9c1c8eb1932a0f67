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
