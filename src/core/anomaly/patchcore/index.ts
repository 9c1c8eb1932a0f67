import { ScanLensError } from '../../errors';
import type { DetectorKind, FitRequest } from '../detectorKind';
import { PatchcoreDetector } from './patchcoreDetector';
import { DEFAULT_PATCHCORE, PatchcoreFitter, type PatchcoreOptions } from './patchcoreFitter';

/** Rows the fitting buffer may hold (of 4-byte values): beyond it the coreset condenses as patches stream in. */
const MAX_BUFFER_VALUES = 64 * 1024 ** 2;

function options({ seed, bankSize, patches, channels }: FitRequest): PatchcoreOptions {
  const bank = bankSize ?? DEFAULT_PATCHCORE.bankSize;
  // A buffer that holds every training patch when it fits, so the coreset chooses among all of them as the paper's does.
  const all = Math.min(patches ?? 0, Math.floor(MAX_BUFFER_VALUES / Math.max(1, channels)));
  return { ...DEFAULT_PATCHCORE, seed, bankSize: bank, bufferSize: Math.max(DEFAULT_PATCHCORE.bufferSize, 2 * bank, all) };
}

/** PatchCore: a coreset memory bank of patch features; the fitter holds a buffer of them. */
export const patchcore: DetectorKind = {
  // Roth et al., 2022: all channels of the layers, each averaged over its 3×3 neighbourhood, on the shallower layer's grid.
  features: { neighbourhood: 3, grid: 'shallowest' },
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
