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

/** Welford's state after `count` images: what `anomaly add` continues from (float64, so the continuation is exact). */
export interface RunningStats {
  readonly count: number;
  /** positions × dims. */
  readonly mean: Float64Array;
  /** positions × packed lower triangle of Σ (x − mean)(x − mean)ᵀ. */
  readonly comoment: Float64Array;
}

/** The running statistics a detector file stores beside mean and cholesky, checked; undefined for a file written before they were kept. */
function runningStats(arrays: Record<string, NpyArray | undefined>, images: number | undefined, positions: number, dims: number, file: string): RunningStats | undefined {
  const mean = arrays['running_mean'];
  const comoment = arrays['comoment'];
  if (mean === undefined && comoment === undefined) return undefined;
  if (mean?.dtype !== '<f8' || comoment?.dtype !== '<f8') throw new ScanLensError('PaDiM running statistics need float64 arrays running_mean [P, d] and comoment [P, d(d+1)/2], both', file);
  if (mean.shape.join() !== [positions, dims].join() || comoment.shape.join() !== [positions, packedLength(dims)].join())
    throw new ScanLensError(`running statistics are [${mean.shape.join(', ')}] and [${comoment.shape.join(', ')}], expected [${positions}, ${dims}] and [${positions}, ${packedLength(dims)}]`, file);
  if (images === undefined || !Number.isSafeInteger(images) || images < 2)
    throw new ScanLensError(`detector manifest field 'parameters.images': must be the number of images in the running statistics, a whole number of at least 2 (got ${images})`, file);
  return { count: images, mean: mean.data, comoment: comoment.data };
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
    /** Kept so scans can be added later without refitting; absent in detector files written before they were. */
    readonly running?: RunningStats,
  ) {
    if (mean.length !== positions * dims || cholesky.length !== positions * packedLength(dims)) throw new ScanLensError(`PaDiM arrays do not match ${positions} positions × ${dims} channels`);
    this.scratch = new Float64Array(dims);
    this.lanes = new LaneGaussians(positions, dims, mean, cholesky);
  }

  static fromArrays(arrays: Record<string, NpyArray | undefined>, parameters: Record<string, number>, file: string): PadimDetector {
    const mean = arrays['mean'];
    const cholesky = arrays['cholesky'];
    if (mean?.dtype !== '<f4' || cholesky?.dtype !== '<f4' || mean.shape.length !== 2 || cholesky.shape.length !== 2)
      throw new ScanLensError('PaDiM needs float32 arrays mean [P, d] and cholesky [P, d(d+1)/2]', file);
    const [positions, dims] = mean.shape as [number, number];
    if (cholesky.shape[0] !== positions || cholesky.shape[1] !== packedLength(dims))
      throw new ScanLensError(`cholesky is [${cholesky.shape.join(', ')}], expected [${positions}, ${packedLength(dims)}]`, file);
    checkDiagonal(cholesky.data, positions, dims, file);
    const running = runningStats(arrays, parameters['images'], positions, dims, file);
    return new PadimDetector(positions, dims, mean.data, cholesky.data, parameters['epsilon'] ?? 0, running);
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
    const { positions: p, dims: d, running } = this;
    return {
      mean: { dtype: '<f4', shape: [p, d], data: this.mean },
      cholesky: { dtype: '<f4', shape: [p, packedLength(d)], data: this.cholesky },
      ...(running ? { running_mean: { dtype: '<f8', shape: [p, d], data: running.mean }, comoment: { dtype: '<f8', shape: [p, packedLength(d)], data: running.comoment } } : {}),
    };
  }

  parameters(): Record<string, number> {
    return { epsilon: this.epsilon, ...(this.running ? { images: this.running.count } : {}) };
  }
}
