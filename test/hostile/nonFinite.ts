import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../../src/core/anomaly/npy';
import { packedLength } from '../../src/core/anomaly/linalg';
import { niftiInt16Header } from '../helpers/niftiHeader';
import { ROOT } from '../helpers/paths';
import { tag, tinyDicom } from '../helpers/tinyDicom';
import { addGoodSample, GOOD, type HostileCase } from './hostileCase';

/*
 * Non-finite numbers (issue 20 item 5): a rescale that overflows float32 or
 * NaN/Inf voxels used to turn every probability into null with exit 0; a
 * detector whose Cholesky factor is NaN or zero scored a lesion NaN, which no
 * threshold flags. Each is an error naming the file, never a result.
 */

/** A float32 NIfTI-1 volume of 16×16×4 voxels, a ramp, with `poison` over 5 voxels of slice 2 (test/core/classify/nonFinite.test.ts's file). */
export function niftiPoisoned(poison: number): Buffer {
  const header = niftiInt16Header(16, 16, 4);
  header.writeInt16LE(16, 70); // datatype FLOAT32
  header.writeInt16LE(32, 72); // bitpix
  const voxels = new Float32Array(16 * 16 * 4).map((_, i) => i % 97);
  for (let i = 0; i < 5; i++) voxels[2 * 256 + 40 + i] = poison;
  return Buffer.concat([header, Buffer.from(voxels.buffer)]);
}

/** The shipped demo PaDiM detector copied to dir/detector, its Cholesky array edited and its sha256 updated, so only the numbers are wrong. */
export function padimWithCholesky(dir: string, edit: (data: Float32Array, channels: number) => void): string {
  const folder = join(dir, 'detector');
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), folder, { recursive: true });
  const file = join(folder, 'padim-cholesky.npy');
  const decoded = decodeNpy(readFileSync(file), file);
  const manifest = JSON.parse(readFileSync(join(folder, 'detector.json'), 'utf8'));
  edit(decoded.data as Float32Array, manifest.features.channels.length);
  const bytes = encodeNpy(decoded);
  writeFileSync(file, bytes);
  manifest.arrays.cholesky.sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(folder, 'detector.json'), JSON.stringify(manifest, null, 2));
  return 'detector';
}

const NON_FINITE_SLICE = /slice index 2 has 5 of 256 values that are NaN or infinite in float32/;

export const nonFiniteCases: readonly HostileCase[] = [
  {
    name: 'DICOM with RescaleSlope 1e308 (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'slope.dcm'), tinyDicom([tag(0x0028, 0x1052, 'DS', '0'), tag(0x0028, 0x1053, 'DS', '1e308')], 32));
      return { args: ['classify', 'slope.dcm', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      errors: [{ file: 'slope.dcm', reason: /has \d+ of 1024 values that are NaN or infinite in float32 \(rescale slope 1e\+308, intercept 0\)/ }],
      unchanged: [GOOD],
    },
  },
  {
    name: 'NIfTI with NaN voxels and one with Inf voxels (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'nan.nii'), niftiPoisoned(Number.NaN));
      writeFileSync(join(dir, 'inf.nii'), niftiPoisoned(Number.POSITIVE_INFINITY));
      return { args: ['classify', 'nan.nii', 'inf.nii', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      errors: [
        { file: 'nan.nii', reason: NON_FINITE_SLICE },
        { file: 'inf.nii', reason: NON_FINITE_SLICE },
      ],
      unchanged: [GOOD],
    },
  },
  {
    name: 'PaDiM detector with a NaN in its Cholesky factor (anomaly score)',
    build: (dir) => ({ args: ['anomaly', 'score', addGoodSample(dir), '--detector', padimWithCholesky(dir, (data) => (data[7] = Number.NaN))] }),
    expect: { exit: 1, errors: [{ file: 'detector/padim-cholesky.npy', reason: /holds a value that is not finite \(NaN at index 7\)/ }] },
  },
  {
    name: 'PaDiM detector with a zero on its Cholesky diagonal (anomaly score)',
    build: (dir) => ({ args: ['anomaly', 'score', addGoodSample(dir), '--detector', padimWithCholesky(dir, (data, channels) => (data[3 * packedLength(channels) + 2] = 0))] }),
    expect: { exit: 1, errors: [{ file: 'detector/detector.json', reason: /cholesky diagonal at position 3, channel 1 is 0: not the factor of a positive-definite covariance/ }] },
  },
];
