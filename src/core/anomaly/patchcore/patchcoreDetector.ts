import { ScanLensError } from '../../errors';
import type { FeatureDetector } from '../detector';
import type { NpyArray } from '../npy';

/** Bank entries around the nearest one that weigh the image score (anomalib's num_neighbors). */
export const SCORE_NEIGHBOURS = 9;

/**
 * PatchCore (Roth et al., 2022): a memory bank of normal patch features; a
 * position's anomaly is the Euclidean distance from its feature vector to
 * the nearest bank entry. The image score is the largest patch distance
 * re-weighted by how isolated that patch's nearest bank entry is (eq. 7).
 */
export class PatchcoreDetector implements FeatureDetector {
  readonly method = 'patchcore';

  constructor(
    /** size × dims, row per patch. */
    readonly bank: Float32Array,
    readonly dims: number,
  ) {
    if (dims < 1 || bank.length === 0 || bank.length % dims !== 0) throw new ScanLensError(`PatchCore memory bank of ${bank.length} values does not hold ${dims}-channel patches`);
  }

  get size(): number {
    return this.bank.length / this.dims;
  }

  static fromArrays(arrays: Record<string, NpyArray | undefined>, file: string): PatchcoreDetector {
    const bank = arrays['bank'];
    if (bank?.dtype !== '<f4' || bank.shape.length !== 2 || bank.shape[0] === 0) throw new ScanLensError('PatchCore needs a float32 array bank [N, d]', file);
    return new PatchcoreDetector(bank.data, bank.shape[1]!);
  }

  distanceMap(features: Float32Array): Float32Array {
    const d = this.dims;
    if (features.length % d !== 0) throw new ScanLensError(`features have ${features.length} values, not a multiple of the bank's ${d} channels`);
    const p = features.length / d;
    const out = new Float32Array(p);
    const x = new Float64Array(d);
    // The bank in a local and rows by offset: `this.size` is a getter that divides, and this loop runs per bank row per position.
    const bank = this.bank;
    const end = bank.length;
    for (let pos = 0; pos < p; pos++) {
      for (let c = 0; c < d; c++) x[c] = features[c * p + pos]!;
      let best = Infinity;
      for (let base = 0; base < end; base += d) {
        let sum = 0;
        for (let c = 0; c < d && sum < best; c++) {
          const diff = x[c]! - bank[base + c]!;
          sum += diff * diff;
        }
        if (sum < best) best = sum;
      }
      out[pos] = Math.sqrt(best);
    }
    return out;
  }

  /**
   * The paper's image score (eq. 6-7, as anomalib computes it): s* is the
   * largest patch distance, m* the bank entry nearest that patch, N the
   * SCORE_NEIGHBOURS entries nearest m* (m* first); the score is
   * (1 − softmax over N of the patch's distances, taken at m*) · s*, so a
   * patch matched by an entry in a sparse part of the bank counts more.
   */
  imageScore(features: Float32Array, distances: Float32Array): number {
    const d = this.dims;
    const p = distances.length;
    let worst = 0;
    for (let pos = 1; pos < p; pos++) if (distances[pos]! > distances[worst]!) worst = pos;
    const patch = Float64Array.from({ length: d }, (_, c) => features[c * p + worst]!);
    const nearest = this.nearestRows(patch, 1)[0]!;
    const support = this.nearestRows(this.bank.subarray(nearest * d, (nearest + 1) * d), SCORE_NEIGHBOURS);
    const dist = support.map((row) => Math.sqrt(this.squaredDistance(patch, row)));
    const top = Math.max(...dist);
    const total = dist.reduce((sum, x) => sum + Math.exp(x - top), 0);
    // support[0] is m* itself: its own nearest entry.
    const weight = 1 - Math.exp(dist[0]! - top) / total;
    return weight * distances[worst]!;
  }

  private squaredDistance(x: ArrayLike<number>, row: number): number {
    const d = this.dims;
    let sum = 0;
    for (let c = 0; c < d; c++) sum += (x[c]! - this.bank[row * d + c]!) ** 2;
    return sum;
  }

  /** The k bank rows nearest x, nearest first (ties by row order). */
  private nearestRows(x: ArrayLike<number>, k: number): number[] {
    const all = Array.from({ length: this.size }, (_, row) => ({ row, dist: this.squaredDistance(x, row) }));
    all.sort((a, b) => a.dist - b.dist || a.row - b.row);
    return all.slice(0, Math.min(k, all.length)).map((e) => e.row);
  }

  arrays(): Record<string, NpyArray> {
    return { bank: { dtype: '<f4', shape: [this.size, this.dims], data: this.bank } };
  }

  parameters(): Record<string, number> {
    return { bank: this.size };
  }
}
