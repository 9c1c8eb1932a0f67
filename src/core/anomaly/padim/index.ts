import { ScanLensError } from '../../errors';
import type { DetectorKind } from '../detectorKind';
import { packedLength } from '../linalg';
import { PadimDetector } from './padimDetector';
import { DEFAULT_EPSILON, PadimFitter } from './padimFitter';

/** PaDiM: a Gaussian per grid position; the fitter keeps d(d+1)/2 float64 sums per position. */
export const padim: DetectorKind = {
  fitBytes: ({ positions, channels }) => positions * packedLength(channels) * 8,
  createFitter: ({ positions, channels, epsilon }) => new PadimFitter(positions, channels, epsilon ?? DEFAULT_EPSILON),
  load(arrays, parameters, expected, file) {
    const detector = PadimDetector.fromArrays(arrays, parameters['epsilon'] ?? 0, file);
    const shape = detector.arrays()['mean']!.shape;
    if (shape.join() !== [expected.positions, expected.channels].join())
      throw new ScanLensError(`arrays are for [${shape.join(', ')}], the manifest says ${expected.positions} positions × ${expected.channels} channels`, file);
    return detector;
  },
};
