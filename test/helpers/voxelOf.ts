import type { Affine } from '../../src/core/scan/scan';

/** The stored voxel (x, y, z) of a world point: the affine's 3×3 part solved by Cramer's rule. */
export function voxelOf(affine: Affine, world: readonly number[]): number[] {
  const m = [0, 1, 2].map((r) => affine[r]!.slice(0, 3));
  const b = [0, 1, 2].map((r) => world[r]! - affine[r]![3]!);
  const det = (a: number[][]): number =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) - a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) + a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!);
  const d = det(m);
  return [0, 1, 2].map((c) => det(m.map((row, r) => row.map((v, j) => (j === c ? b[r]! : v)))) / d);
}
