import { ScanLensError } from '../../errors';
import type { DetectorKind, FitRequest } from '../detectorKind';
import { PatchcoreDetector } from './patchcoreDetector';
import { DEFAULT_PATCHCORE, PatchcoreFitter, type PatchcoreOptions } from './patchcoreFitter';

function options({ seed, bankSize }: FitRequest): PatchcoreOptions {
  return { ...DEFAULT_PATCHCORE, seed, ...(bankSize ? { bankSize, bufferSize: Math.max(DEFAULT_PATCHCORE.bufferSize, 2 * bankSize) } : {}) };
}

/** PatchCore: a coreset memory bank of patch features; the fitter holds a buffer of them. */
export const patchcore: DetectorKind = {
  fitBytes: (request) => options(request).bufferSize * request.channels * 4,
  createFitter: (request) => new PatchcoreFitter(request.channels, options(request)),
  resume(detector, request, file) {
    if (!(detector instanceof PatchcoreDetector)) throw new ScanLensError(`is a ${detector.method} detector, not PatchCore`, file);
    // The bank keeps its size unless asked otherwise; the buffer holds it and the new patches.
    const bankSize = request.bankSize ?? detector.size;
    const base = options({ ...request, bankSize });
    return new PatchcoreFitter(detector.dims, { ...base, bufferSize: Math.max(base.bufferSize, 2 * detector.size) }, detector.bank);
  },
  load(arrays, parameters, expected, file) {
    const detector = PatchcoreDetector.fromArrays(arrays, file);
    const [rows, channels] = detector.arrays()['bank']!.shape;
    if (channels !== expected.channels) throw new ScanLensError(`memory bank has ${channels} channels, the manifest says ${expected.channels}`, file);
    // The manifest's bank size is what the size limits were checked against before the array was read.
    if (rows !== parameters['bank']) throw new ScanLensError(`memory bank has ${rows} rows, the manifest says ${parameters['bank']}`, file);
    return detector;
  },
};
