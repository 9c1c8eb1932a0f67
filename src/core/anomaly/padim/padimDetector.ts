import { ScanLensError } from '../../errors';
import type { FeatureDetector } from '../detector';
import { mahalanobisSquared, packedLength } from '../linalg';
import type { NpyArray } from '../npy';
import { LaneGaussians } from './laneGaussians';

/** Scoring divides by L's diagonal: the factor of a positive-definite Σ has it positive, and a zero or negative one (or NaN) gives infinite or NaN distances. */
function checkDiagonal(cholesky: Float32Array, positions: number, dims: number, file: string): void {
  const packed = packedLength(dims);
  for (let pos = 0; pos < positions; pos++) {
    for (let i = 0; i < dims; i++) {
      const value = cholesky[pos * packed + (i * (i + 1)) / 2 + i]!;
      if (!(value > 0 && Number.isFinite(1 / value)))
        throw new ScanLensError(`cholesky diagonal at position ${pos}, channel ${i} is ${value}: not the factor of a positive-definite covariance, the detector would score NaN or infinity`, file);
    }
  }
}

/**
 * PaDiM (Defard et al., 2020): a Gaussian per grid position; the anomaly map
 * is the Mahalanobis distance of each position's feature vector to its
 * position's Gaussian. Stored as the mean and Σ's Cholesky factor (float32),
 * the exact numbers scoring uses, so a reloaded detector scores identically.
 */
export class PadimDetector implements FeatureDetector {
  readonly method = 'padim';
  private readonly scratch: Float64Array;
  private readonly lanes: LaneGaussians;

  constructor(
    readonly positions: number,
    readonly dims: number,
    /** positions × dims. */
    readonly mean: Float32Array,
    /** positions × packed lower triangle of L, Σ = L·Lᵀ. */
    readonly cholesky: Float32Array,
    readonly epsilon: number,
  ) {
    if (mean.length !== positions * dims || cholesky.length !== positions * packedLength(dims)) throw new ScanLensError(`PaDiM arrays do not match ${positions} positions × ${dims} channels`);
    this.scratch = new Float64Array(dims);
    this.lanes = new LaneGaussians(positions, dims, mean, cholesky);
  }

  static fromArrays(arrays: Record<string, NpyArray | undefined>, epsilon: number, file: string): PadimDetector {
    const mean = arrays['mean'];
    const cholesky = arrays['cholesky'];
    if (mean?.dtype !== '<f4' || cholesky?.dtype !== '<f4' || mean.shape.length !== 2 || cholesky.shape.length !== 2)
      throw new ScanLensError('PaDiM needs float32 arrays mean [P, d] and cholesky [P, d(d+1)/2]', file);
    const [positions, dims] = mean.shape as [number, number];
    if (cholesky.shape[0] !== positions || cholesky.shape[1] !== packedLength(dims))
      throw new ScanLensError(`cholesky is [${cholesky.shape.join(', ')}], expected [${positions}, ${packedLength(dims)}]`, file);
    checkDiagonal(cholesky.data, positions, dims, file);
    return new PadimDetector(positions, dims, mean.data, cholesky.data, epsilon);
  }

  distanceMap(features: Float32Array): Float32Array {
    const { positions: p, dims: d } = this;
    if (features.length !== p * d) throw new ScanLensError(`features have ${features.length} values; the detector expects ${d} channels × ${p} positions`);
    const out = new Float32Array(p);
    this.lanes.distances(features, out);
    // At most three positions after the last whole group of lanes.
    const x = new Float64Array(d);
    const packed = packedLength(d);
    for (let pos = this.lanes.covered; pos < p; pos++) {
      for (let c = 0; c < d; c++) x[c] = features[c * p + pos]!;
      out[pos] = Math.sqrt(mahalanobisSquared(x, 0, this.mean, pos * d, this.cholesky, pos * packed, d, this.scratch));
    }
    return out;
  }

  arrays(): Record<string, NpyArray> {
    return {
      mean: { dtype: '<f4', shape: [this.positions, this.dims], data: this.mean },
      cholesky: { dtype: '<f4', shape: [this.positions, packedLength(this.dims)], data: this.cholesky },
    };
  }

  parameters(): Record<string, number> {
    return { epsilon: this.epsilon };
  }
}
