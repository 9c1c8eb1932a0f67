import { ScanLensError } from '../../errors';
import type { FeatureFitter } from '../detector';
import { choleskyPacked, packedLength } from '../linalg';
import { GaussianStats } from './gaussianStats';
import { PadimDetector, type RunningStats } from './padimDetector';

/** PaDiM's regularisation: Σ + 0.01·I keeps every covariance invertible. */
export const DEFAULT_EPSILON = 0.01;

export class PadimFitter implements FeatureFitter {
  private readonly stats: GaussianStats;

  /** `from`: a fitted detector's running statistics, continued (anomaly add): the result equals one fit over all the images in the same order. */
  constructor(
    positions: number,
    dims: number,
    private readonly epsilon = DEFAULT_EPSILON,
    from?: RunningStats,
  ) {
    this.stats = new GaussianStats(positions, dims, from);
  }

  get count(): number {
    return this.stats.count;
  }

  add(features: Float32Array): void {
    this.stats.add(features);
  }

  finish(): PadimDetector {
    const { positions, dims, count, mean } = this.stats;
    if (count < 2) throw new ScanLensError(`PaDiM needs at least 2 training images, got ${count}`);
    const packed = packedLength(dims);
    const cholesky = new Float32Array(positions * packed);
    for (let pos = 0; pos < positions; pos++) {
      try {
        cholesky.set(choleskyPacked(this.stats.covariance(pos, this.epsilon), dims), pos * packed);
      } catch (error) {
        throw new ScanLensError(`covariance at grid position ${pos} is not positive definite (${(error as Error).message}); raise epsilon`);
      }
    }
    const running: RunningStats = { count, mean: mean.slice(), comoment: this.stats.comoment.slice() };
    return new PadimDetector(positions, dims, Float32Array.from(mean), cholesky, this.epsilon, running);
  }
}
