import type { Affine } from '../../core/scan/scan';

/** Letters for the RAS+ world axes, negative end first: x runs L→R, y P→A, z I→S. */
const LETTERS: readonly (readonly [string, string])[] = [
  ['L', 'R'],
  ['P', 'A'],
  ['I', 'S'],
];

export interface EdgeLabels {
  readonly left: string;
  readonly right: string;
  readonly top: string;
  readonly bottom: string;
}

/** The patient direction a voxel axis points to, e.g. "R" or, for an oblique axis, "RA" (strongest first). */
export function directionLetters(direction: readonly number[]): string {
  const norm = Math.hypot(direction[0]!, direction[1]!, direction[2]!);
  if (norm === 0) return '';
  return [0, 1, 2]
    .map((w) => ({ w, c: direction[w]! / norm }))
    .filter(({ c }) => Math.abs(c) > 0.3)
    .sort((a, b) => Math.abs(b.c) - Math.abs(a.c))
    .map(({ w, c }) => LETTERS[w]![c > 0 ? 1 : 0])
    .join('');
}

const negate = (v: readonly number[]): number[] => v.map((x) => -x);

/**
 * Edge labels of a displayed slice: columns run along the affine's first
 * column (voxel x), rows along its second (voxel y, downwards on screen).
 */
export function orientationLabels(affine: Affine | undefined): EdgeLabels {
  if (!affine) return { left: '', right: '', top: '', bottom: '' };
  const column = [affine[0]![0]!, affine[1]![0]!, affine[2]![0]!];
  const row = [affine[0]![1]!, affine[1]![1]!, affine[2]![1]!];
  return { left: directionLetters(negate(column)), right: directionLetters(column), top: directionLetters(negate(row)), bottom: directionLetters(row) };
}
