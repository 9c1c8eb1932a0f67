import { random } from '../../explain/seededRandom';

/** A seeded Gaussian random projection to `k` dimensions (Johnson–Lindenstrauss), rows × k. */
export function randomProjection(rows: Float32Array, dims: number, k: number, seed: number): Float32Array {
  const next = random(seed);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const matrix = Float64Array.from({ length: dims * k }, () => gaussian() / Math.sqrt(k));
  const n = rows.length / dims;
  const out = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < k; j++) {
      let sum = 0;
      for (let c = 0; c < dims; c++) sum += rows[r * dims + c]! * matrix[c * k + j]!;
      out[r * k + j] = sum;
    }
  }
  return out;
}

/**
 * Greedy k-centre coreset (PatchCore, Algorithm 1): start from a seeded
 * random row, then repeatedly take the row farthest from everything chosen,
 * measured in a random projection to `projected` dimensions. Returns row indices.
 */
export function greedyCoreset(rows: Float32Array, dims: number, target: number, seed: number, projected = 128): number[] {
  const n = rows.length / dims;
  if (target >= n) return Array.from({ length: n }, (_, i) => i);
  const k = Math.min(dims, projected);
  const points = k < dims ? randomProjection(rows, dims, k, seed) : rows;
  const nearest = new Float64Array(n).fill(Infinity);
  const chosen: number[] = [];
  let pick = Math.floor(random(seed ^ 0x5bd1e995)() * n);
  while (chosen.length < target) {
    chosen.push(pick);
    let farthest = -1;
    let next = 0;
    for (let r = 0; r < n; r++) {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const diff = points[r * k + c]! - points[pick * k + c]!;
        sum += diff * diff;
      }
      if (sum < nearest[r]!) nearest[r] = sum;
      if (nearest[r]! > farthest) {
        farthest = nearest[r]!;
        next = r;
      }
    }
    pick = next;
  }
  return chosen;
}
