import { ScanLensError } from '../../errors';
import type { DetectorKind } from '../detectorKind';
import { packedLength } from '../linalg';
import { PadimDetector } from './padimDetector';
import { DEFAULT_EPSILON, PadimFitter } from './padimFitter';

/**
 * PaDiM: a Gaussian per grid position; the fitter keeps d(d+1)/2 float64 sums
 * per position, and the detector file keeps them too, so `anomaly add` goes
 * on from them exactly (Welford's update continued, then ε and Cholesky again).
 */
export const padim: DetectorKind = {
  // PaDiM's random channel subset of the deepest grid (Defard et al., 2020, reduce to d of the concatenated channels).
  features: { channels: 32, neighbourhood: 1, grid: 'deepest' },
  fitBytes: ({ positions, channels }) => positions * packedLength(channels) * 8,
  createFitter: ({ positions, channels, epsilon }) => new PadimFitter(positions, channels, epsilon ?? DEFAULT_EPSILON),
  resume(detector, _request, file) {
    if (!(detector instanceof PadimDetector)) throw new ScanLensError(`is a ${detector.method} detector, not PaDiM`, file);
    const { positions, dims, epsilon, running } = detector;
    if (!running)
      throw new ScanLensError(
        'has no running statistics (fitted by an earlier ScanLens): its float32 mean and Cholesky factor cannot be continued exactly; refit it with anomaly fit on all its normal scans',
        file,
      );
    return new PadimFitter(positions, dims, epsilon, running);
  },
  load(arrays, parameters, expected, file) {
    const detector = PadimDetector.fromArrays(arrays, parameters, file);
    const shape = detector.arrays()['mean']!.shape;
    if (shape.join() !== [expected.positions, expected.channels].join())
      throw new ScanLensError(`arrays are for [${shape.join(', ')}], the manifest says ${expected.positions} positions × ${expected.channels} channels`, file);
    return detector;
  },
};
