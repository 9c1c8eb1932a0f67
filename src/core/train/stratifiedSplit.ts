import { random } from '../explain/seededRandom';

/** Indices 0..n-1 in a seeded random order (Fisher–Yates). */
function shuffled(indices: readonly number[], next: () => number): number[] {
  const out = [...indices];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Each class's row indices, shuffled with the seed. */
function byClass(labels: Int32Array, classes: number, seed: number): number[][] {
  const next = random(seed);
  const groups = Array.from({ length: classes }, () => [] as number[]);
  labels.forEach((label, i) => groups[label]!.push(i));
  return groups.map((group) => shuffled(group, next));
}

/**
 * Rows dealt into `folds` folds class by class, so every fold holds each
 * class in proportion (scikit-learn's StratifiedKFold, shuffled with a seed).
 * Returns each row's fold.
 */
export function stratifiedFolds(labels: Int32Array, classes: number, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(labels.length);
  let turn = 0;
  for (const group of byClass(labels, classes, seed)) for (const row of group) fold[row] = turn++ % folds;
  return fold;
}

/** A seeded split holding out `fraction` of each class (at least one row of a class with two or more), in order of the rows. */
export function stratifiedHoldOut(labels: Int32Array, classes: number, fraction: number, seed: number): { train: number[]; held: number[] } {
  const held = new Set<number>();
  for (const group of byClass(labels, classes, seed)) {
    const count = group.length >= 2 ? Math.max(1, Math.round(group.length * fraction)) : 0;
    for (const row of group.slice(0, count)) held.add(row);
  }
  const all = [...labels.keys()];
  return { train: all.filter((i) => !held.has(i)), held: all.filter((i) => held.has(i)) };
}
