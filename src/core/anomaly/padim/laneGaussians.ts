import { packedLength } from '../linalg';

/** Positions solved side by side: enough independent chains to hide the latency of each one's dependent subtractions. */
const LANES = 4;

/** Rows of `width` values per position, regrouped so group g stores element e of its lane j at (g·width + e)·LANES + j; a last partial group is left out. */
function interleave(rows: Float32Array, groups: number, width: number): Float32Array {
  const out = new Float32Array(groups * LANES * width);
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < LANES; j++) {
      const from = (g * LANES + j) * width;
      for (let e = 0; e < width; e++) out[(g * width + e) * LANES + j] = rows[from + e]!;
    }
  }
  return out;
}

/**
 * PaDiM's Gaussians laid out for scoring. Forward substitution (L·y = x − μ)
 * is a chain of dependent subtractions, so one position at a time mostly
 * waits on floating-point latency; four positions advance together here,
 * their loads adjacent in memory. Each lane does linalg's
 * mahalanobisSquared's operations in its order, so distances are
 * bit-identical to it.
 */
export class LaneGaussians {
  /** Positions covered by whole groups, from 0; the rest are the caller's. */
  readonly covered: number;
  private readonly mean: Float32Array;
  private readonly cholesky: Float32Array;
  private readonly solved: Float64Array;

  constructor(
    private readonly positions: number,
    private readonly dims: number,
    mean: Float32Array,
    cholesky: Float32Array,
  ) {
    const groups = Math.floor(positions / LANES);
    this.covered = groups * LANES;
    this.mean = interleave(mean, groups, dims);
    this.cholesky = interleave(cholesky, groups, packedLength(dims));
    this.solved = new Float64Array(LANES * dims);
  }

  /** Mahalanobis distances of the covered positions into `out`; `features` is dims × positions, channel-major. */
  distances(features: Float32Array, out: Float32Array): void {
    const { positions: p, dims: d, mean, cholesky: l, solved: y } = this;
    const packed = packedLength(d);
    for (let pos = 0; pos < this.covered; pos += LANES) {
      const lBase = pos * packed;
      const mBase = pos * d;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let i = 0; i < d; i++) {
        const row = lBase + ((i * (i + 1)) / 2) * LANES;
        const f = i * p + pos;
        const m = mBase + i * LANES;
        let v0 = features[f]! - mean[m]!,
          v1 = features[f + 1]! - mean[m + 1]!,
          v2 = features[f + 2]! - mean[m + 2]!,
          v3 = features[f + 3]! - mean[m + 3]!;
        for (let k = 0; k < i; k++) {
          const a = row + k * LANES;
          const b = k * LANES;
          v0 -= l[a]! * y[b]!;
          v1 -= l[a + 1]! * y[b + 1]!;
          v2 -= l[a + 2]! * y[b + 2]!;
          v3 -= l[a + 3]! * y[b + 3]!;
        }
        const diagonal = row + i * LANES;
        v0 /= l[diagonal]!;
        v1 /= l[diagonal + 1]!;
        v2 /= l[diagonal + 2]!;
        v3 /= l[diagonal + 3]!;
        const b = i * LANES;
        y[b] = v0;
        y[b + 1] = v1;
        y[b + 2] = v2;
        y[b + 3] = v3;
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
      out[pos] = Math.sqrt(s0);
      out[pos + 1] = Math.sqrt(s1);
      out[pos + 2] = Math.sqrt(s2);
      out[pos + 3] = Math.sqrt(s3);
    }
  }
}
