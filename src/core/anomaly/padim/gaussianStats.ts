import { packedLength } from '../linalg';

/**
 * Per-position mean and covariance of d-channel feature vectors, streamed
 * with Welford's update: memory is P·d(d+1)/2 numbers however many images
 * are added, and there is no catastrophic cancellation from raw sums.
 */
export class GaussianStats {
  count = 0;
  readonly mean: Float64Array;
  /** Packed lower triangle of Σ (x − mean)(x − mean)ᵀ per position. */
  readonly comoment: Float64Array;
  private readonly delta: Float64Array;

  /** `from`: the state of earlier adds (copied), which later adds continue exactly as if they had never stopped. */
  constructor(
    readonly positions: number,
    readonly dims: number,
    from?: { readonly count: number; readonly mean: Float64Array; readonly comoment: Float64Array },
  ) {
    this.mean = new Float64Array(positions * dims);
    this.comoment = new Float64Array(positions * packedLength(dims));
    this.delta = new Float64Array(dims);
    if (from) {
      if (from.mean.length !== this.mean.length || from.comoment.length !== this.comoment.length) throw new RangeError(`running statistics do not match ${positions} positions × ${dims} channels`);
      this.count = from.count;
      this.mean.set(from.mean);
      this.comoment.set(from.comoment);
    }
  }

  /** Adds one image: `features` is dims × positions, channel-major (as a feature map is laid out). */
  add(features: ArrayLike<number>): void {
    const { positions: p, dims: d, mean, comoment, delta } = this;
    if (features.length !== p * d) throw new RangeError(`expected ${d}×${p} features, got ${features.length}`);
    this.count++;
    const n = this.count;
    const packed = packedLength(d);
    for (let pos = 0; pos < p; pos++) {
      const m = pos * d;
      for (let c = 0; c < d; c++) {
        const x = features[c * p + pos]!;
        delta[c] = x - mean[m + c]!;
        mean[m + c]! += delta[c]! / n;
      }
      // C += δ·(x − mean_new)ᵀ; symmetric, so the lower triangle suffices.
      const base = pos * packed;
      for (let i = 0; i < d; i++) {
        const after = features[i * p + pos]! - mean[m + i]!;
        const row = base + (i * (i + 1)) / 2;
        for (let j = 0; j <= i; j++) comoment[row + j]! += after * delta[j]!;
      }
    }
  }

  /** Sample covariance (n − 1) plus ε on the diagonal, packed, for one position. */
  covariance(pos: number, epsilon: number): Float64Array {
    const d = this.dims;
    const packed = packedLength(d);
    const out = this.comoment.slice(pos * packed, (pos + 1) * packed);
    const scale = 1 / Math.max(1, this.count - 1);
    for (let i = 0; i < d; i++) {
      const row = (i * (i + 1)) / 2;
      for (let j = 0; j <= i; j++) out[row + j]! *= scale;
      out[row + i]! += epsilon;
    }
    return out;
  }
}
