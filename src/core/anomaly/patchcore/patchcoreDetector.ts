import { ScanLensError } from '../../errors';
import type { FeatureDetector } from '../detector';
import type { NpyArray } from '../npy';

/**
 * PatchCore (Roth et al., 2022): a memory bank of normal patch features; a
 * position's anomaly is the Euclidean distance from its feature vector to
 * the nearest bank entry. The image score is the map's maximum, like PaDiM
 * here (the paper's neighbourhood re-weighting is not applied).
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

  arrays(): Record<string, NpyArray> {
    return { bank: { dtype: '<f4', shape: [this.size, this.dims], data: this.bank } };
  }

  parameters(): Record<string, number> {
    return { bank: this.size };
  }
}
