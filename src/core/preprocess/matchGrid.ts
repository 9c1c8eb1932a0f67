import { ScanLensError } from '../errors';
import type { Affine, Scan } from '../scan/scan';

/**
 * One MRI sequence on another's voxel grid, through world coordinates, as
 * MONAI's ResampleToMatch with its defaults (bilinear, border padding): each
 * voxel of `reference` is placed in the world by its affine, found in
 * `moving` by the inverse of moving's affine, and read trilinearly there, the
 * nearest border value standing in beyond moving's last voxel centres. The
 * result is a scan with reference's shape, spacing and affine holding
 * moving's values in modality units, so a multi-sequence subject goes
 * through the volume pipeline on the first sequence's grid.
 */

/** The inverse of an affine's 3×3 part and its translation, row-major: voxel = m·world + t. */
function invert(affine: Affine, path: string): { m: number[]; t: number[] } {
  const [a, b, c] = [affine[0]!, affine[1]!, affine[2]!];
  const det = a[0]! * (b[1]! * c[2]! - b[2]! * c[1]!) - a[1]! * (b[0]! * c[2]! - b[2]! * c[0]!) + a[2]! * (b[0]! * c[1]! - b[1]! * c[0]!);
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) throw new ScanLensError('its affine cannot be inverted, so it cannot be placed on another sequence', path);
  const m = [
    (b[1]! * c[2]! - b[2]! * c[1]!) / det,
    (a[2]! * c[1]! - a[1]! * c[2]!) / det,
    (a[1]! * b[2]! - a[2]! * b[1]!) / det,
    (b[2]! * c[0]! - b[0]! * c[2]!) / det,
    (a[0]! * c[2]! - a[2]! * c[0]!) / det,
    (a[2]! * b[0]! - a[0]! * b[2]!) / det,
    (b[0]! * c[1]! - b[1]! * c[0]!) / det,
    (a[1]! * c[0]! - a[0]! * c[1]!) / det,
    (a[0]! * b[1]! - a[1]! * b[0]!) / det,
  ];
  const t = [0, 1, 2].map((r) => -(m[3 * r]! * a[3]! + m[3 * r + 1]! * b[3]! + m[3 * r + 2]! * c[3]!));
  return { m, t };
}

const sameGrid = (a: Scan, b: Scan): boolean =>
  a.shape.every((n, i) => n === b.shape[i]) && a.affine!.every((row, r) => row.every((v, c) => Math.abs(v - b.affine![r]![c]!) <= 1e-6 * Math.max(1, Math.abs(v))));

/**
 * `moving` resampled onto `reference`'s voxels (see above); `name` is what
 * error lines call it (its sequence). With `outside`, a reference voxel
 * beyond moving's voxels takes that value instead of the border's (a map
 * carried onto another scan: NaN, not seen).
 */
export function matchGrid(reference: Scan, moving: Scan, name: string, outside?: number): Scan {
  if (moving.channels !== 1) throw new ScanLensError(`the ${name} sequence has ${moving.channels} channels (RGB); a sequence is one`, moving.path);
  if (!reference.affine || !moving.affine) {
    throw new ScanLensError(`${!moving.affine ? `the ${name} sequence` : 'the first sequence'} records no orientation: sequences are matched through world coordinates`, moving.path);
  }
  const [nz, ny, nx] = moving.shape;
  const slope = moving.rescale?.slope ?? 1;
  const intercept = moving.rescale?.intercept ?? 0;
  const source = moving.voxels;
  const [depth, height, width] = reference.shape;
  const out = new Float32Array(depth * height * width);
  const base = { ...reference, path: moving.path, voxels: out, rescale: undefined, valueRange: moving.valueRange, window: moving.window, windowPresets: moving.windowPresets, bitsPerSample: 32 };
  if (sameGrid(reference, moving)) {
    for (let i = 0; i < out.length; i++) out[i] = source[i]! * slope + intercept;
    return base;
  }
  // Reference voxel (x, y, z) → moving voxel: p = M·(x, y, z) + o, with M = inv(moving)·reference.
  const { m, t } = invert(moving.affine, moving.path);
  const r = reference.affine;
  const M = [0, 1, 2].map((row) => [0, 1, 2].map((col) => m[3 * row]! * r[0]![col]! + m[3 * row + 1]! * r[1]![col]! + m[3 * row + 2]! * r[2]![col]!));
  const o = [0, 1, 2].map((row) => m[3 * row]! * r[0]![3]! + m[3 * row + 1]! * r[1]![3]! + m[3 * row + 2]! * r[2]![3]! + t[row]!);
  const [lx, ly, lz] = [nx - 1, ny - 1, nz - 1];
  const [M0, M1, M2] = M as [number[], number[], number[]];
  let inside = 0;
  let at = 0;
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      // Along x the moving point advances by M's first column.
      let [qx, qy, qz] = [M0[1]! * y + M0[2]! * z + o[0]!, M1[1]! * y + M1[2]! * z + o[1]!, M2[1]! * y + M2[2]! * z + o[2]!];
      for (let x = 0; x < width; x++, at++, qx += M0[0]!, qy += M1[0]!, qz += M2[0]!) {
        // Inside moving's voxels (each covers ±½ about its centre): what counts as overlap.
        if (qx >= -0.5 && qx <= lx + 0.5 && qy >= -0.5 && qy <= ly + 0.5 && qz >= -0.5 && qz <= lz + 0.5) inside++;
        else if (outside !== undefined) {
          out[at] = outside;
          continue;
        }
        const px = qx < 0 ? 0 : qx > lx ? lx : qx;
        const py = qy < 0 ? 0 : qy > ly ? ly : qy;
        const pz = qz < 0 ? 0 : qz > lz ? lz : qz;
        const [x0, y0, z0] = [Math.floor(px), Math.floor(py), Math.floor(pz)];
        const dx = x0 < lx ? 1 : 0;
        const dy = y0 < ly ? nx : 0;
        const dz = z0 < lz ? nx * ny : 0;
        const [wx, wy, wz] = [px - x0, py - y0, pz - z0];
        const i = (z0 * ny + y0) * nx + x0;
        const a = source[i]! + (source[i + dx]! - source[i]!) * wx;
        const b = source[i + dy]! + (source[i + dy + dx]! - source[i + dy]!) * wx;
        const c = source[i + dz]! + (source[i + dz + dx]! - source[i + dz]!) * wx;
        const d = source[i + dz + dy]! + (source[i + dz + dy + dx]! - source[i + dz + dy]!) * wx;
        const ab = a + (b - a) * wy;
        out[at] = (ab + (c + (d - c) * wy - ab) * wz) * slope + intercept;
      }
    }
  }
  if (inside === 0) throw new ScanLensError(`the ${name} sequence does not overlap the first sequence's volume in world coordinates (their affines place them apart)`, moving.path);
  return base;
}
