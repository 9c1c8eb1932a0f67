import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseFeatureSessions } from '../../../src/core/anomaly/features/featureSession';
import { loadDetector } from '../../../src/core/anomaly/detectorFile';
import { decodeNpy, encodeNpy } from '../../../src/core/anomaly/npy';
import { openScorer } from '../../../src/core/anomaly/openScorer';
import { finiteScorer, type AnomalyResult, type AnomalyScorer } from '../../../src/core/anomaly/scorer';
import { packedLength } from '../../../src/core/anomaly/linalg';
import { releaseModels } from '../../../src/core/model/modelCache';
import { ROOT } from '../../helpers/paths';

const work = mkdtempSync(join(tmpdir(), 'scanlens-non-finite-detector-'));
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

const DEMO = join(ROOT, 'models', 'brain-mri-demo-padim');

/** The shipped demo PaDiM detector copied to `name`, one of its arrays edited and its sha256 in detector.json updated to match (so only the numbers are wrong). */
function tampered(name: string, array: 'mean' | 'cholesky', edit: (data: Float32Array, dims: number) => void): string {
  const folder = join(work, name);
  cpSync(DEMO, folder, { recursive: true });
  const file = join(folder, `padim-${array}.npy`);
  const decoded = decodeNpy(readFileSync(file), file);
  const dims = JSON.parse(readFileSync(join(folder, 'detector.json'), 'utf8')).features.channels.length as number;
  edit(decoded.data as Float32Array, dims);
  const bytes = encodeNpy(decoded);
  writeFileSync(file, bytes);
  const manifest = JSON.parse(readFileSync(join(folder, 'detector.json'), 'utf8'));
  manifest.arrays[array].sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(join(folder, 'detector.json'), JSON.stringify(manifest, null, 2));
  return folder;
}

test('a detector whose Cholesky factor holds a NaN is refused at load, not opened to call a lesion normal', async () => {
  const folder = tampered('nan-cholesky', 'cholesky', (data) => (data[7] = Number.NaN));
  await assert.rejects(loadDetector(folder), /padim-cholesky\.npy: holds a value that is not finite \(NaN at index 7\)/);
  // The guard's way in refuses it too, so no classification is guarded by it.
  await assert.rejects(openScorer(folder, { threads: 1 }), /not finite/);
});

test('a detector whose Cholesky diagonal is zero or negative is refused at load', async () => {
  const zero = tampered('zero-diagonal', 'cholesky', (data, dims) => (data[3 * packedLength(dims) + 2] = 0));
  await assert.rejects(loadDetector(zero), /detector\.json: cholesky diagonal at position 3, channel 1 is 0: not the factor of a positive-definite covariance/);
  await assert.rejects(openScorer(zero, { threads: 1 }), /cholesky diagonal/);
  const negative = tampered('negative-diagonal', 'cholesky', (data) => (data[0] = -1));
  await assert.rejects(loadDetector(negative), /position 0, channel 0 is -1/);
});

test('a detector whose mean holds an infinity is refused at load, whatever the method', async () => {
  const folder = tampered('inf-mean', 'mean', (data) => (data[0] = Number.POSITIVE_INFINITY));
  await assert.rejects(loadDetector(folder), /padim-mean\.npy: holds a value that is not finite \(Infinity at index 0\)/);
});

test('a scorer result with a NaN score or map is an error naming the file, never a "normal" verdict', async () => {
  const map = { width: 2, height: 1, channels: 1 as const, data: Float32Array.of(0.5, 0.5) };
  let next: AnomalyResult = { score: Number.NaN, label: 'normal', threshold: 1, map };
  const fake: AnomalyScorer = {
    kind: 'fake',
    threshold: 1,
    input: { size: { width: 2, height: 1 }, fit: 'fill' } as AnomalyScorer['input'],
    summary: () => ({}),
    score: async () => next,
    scoreSlice: async () => next,
  };
  const scorer = finiteScorer(fake);
  await assert.rejects(scorer.score('lesion.png'), { message: /^lesion\.png: its anomaly score is NaN, not a finite number/ });
  next = { score: 0.5, label: 'normal', threshold: 1, map: { ...map, data: Float32Array.of(0.5, Number.POSITIVE_INFINITY) } };
  await assert.rejects(scorer.score('lesion.png'), /lesion\.png: its anomaly map holds Infinity/);
  const scan = { path: 'volume.nii' } as Parameters<AnomalyScorer['scoreSlice']>[0];
  await assert.rejects(scorer.scoreSlice(scan, 4), /volume\.nii: slice index 4: its anomaly map holds Infinity/);
  next = { score: 0.5, label: 'normal', threshold: 1, map };
  assert.equal((await scorer.score('normal.png')).score, 0.5);
  assert.equal(scorer.kind, 'fake');
});
