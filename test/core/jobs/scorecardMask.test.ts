import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { ExplainCancelled } from '../../../src/core/explain/perturbations';
import { explainJob } from '../../../src/core/jobs/explainJob';
import { loadModel } from '../../../src/core/model/loadModel';
import { loadScan } from '../../../src/core/scan/loadScan';
import { chooseSlice, cutSlice } from '../../../src/core/scan/sliceChoice';
import { niftiInt16Header } from '../../helpers/niftiHeader';
import { ROOT } from '../../helpers/paths';
import { writePng } from '../../helpers/pngWriter';

after(releaseExplainSessions);
const tmp = mkdtempSync(join(tmpdir(), 'scanlens-scorecard-mask-'));
const cacheDir = join(tmp, 'cache');
const [NX, NY, NZ] = [40, 48, 6];

function writeNifti(name: string, voxel: (x: number, y: number, z: number) => number): string {
  const voxels = new Int16Array(NX * NY * NZ);
  for (let z = 0; z < NZ; z++) for (let y = 0; y < NY; y++) for (let x = 0; x < NX; x++) voxels[(z * NY + y) * NX + x] = voxel(x, y, z);
  const path = join(tmp, name);
  writeFileSync(path, Buffer.concat([niftiInt16Header(NX, NY, NZ), Buffer.from(voxels.buffer)]));
  return path;
}

const demo = () => loadModel(join(ROOT, 'models', 'brain-mri-demo'), { threads: 1 });
const scan = writeNifti('scan.nii', (x, y, z) => Math.round(1000 * Math.exp(-((x - 14) ** 2 + (y - 30) ** 2) / 60)) + 10 * z + ((x * 7 + y * 3) % 50));
// A box on slices 2 and 3 only: the mask must be cut where the scan is.
const lesion = writeNifti('lesion.nii', (x, y, z) => (z >= 2 && z <= 3 && x >= 8 && x < 20 && y >= 24 && y < 36 ? 1 : 0));

test('a NIfTI mask is cut at the explained slice, as the scan is: it scores as that slice saved as a PNG does', async () => {
  const model = await demo();
  const cut = cutSlice(await loadScan(lesion), chooseSlice(await loadScan(lesion), { axis: 'axial', slice: 2 }));
  const [, height, width] = cut.shape;
  const png = join(tmp, 'lesion-slice.png');
  writeFileSync(png, writePng({ width, height, colourType: 0, bitDepth: 8, samples: Array.from(cut.voxels, (v) => (v ? 255 : 0)) }));
  const fromNifti = await explainJob(model, scan, { method: 'gradcam', cacheDir, axis: 'axial', slice: 2, score: { mask: lesion } });
  const fromPng = await explainJob(model, scan, { method: 'gradcam', cacheDir, axis: 'axial', slice: 2, score: { mask: png } });
  assert.equal(fromNifti.scorecard!.mask!.maskPixels, 12 * 12);
  assert.deepEqual(fromNifti.scorecard!.mask, fromPng.scorecard!.mask);
  const elsewhere = await explainJob(model, scan, { method: 'gradcam', cacheDir, axis: 'axial', slice: 0, score: { mask: lesion } }).catch((e: unknown) => e);
  assert.ok(elsewhere instanceof Error);
  assert.equal(elsewhere.message, `${lesion}: has no non-zero pixel on the explained slice: nothing to point at`);
  await model.session.release();
});

test('a mask off the scan grid is one line naming the mask, before the explanation runs', async () => {
  const model = await demo();
  const sample = join(ROOT, 'samples', 'glioma-01.png');
  const small = join(tmp, 'small.png');
  writeFileSync(small, writePng({ width: 64, height: 64, colourType: 0, bitDepth: 8, samples: new Array<number>(64 * 64).fill(255) }));
  let runs = 0;
  const options = { method: 'gradcam' as const, cacheDir, score: { onProgress: () => runs++ } };
  await assert.rejects(explainJob(model, sample, { ...options, score: { ...options.score, mask: small } }), {
    message: `${small}: is 64×64, the explained slice 128×128: the mask must be on the scan's grid`,
  });
  await assert.rejects(explainJob(model, sample, { ...options, score: { ...options.score, mask: lesion } }), {
    message: `${lesion}: is a volume, but the explained scan is a single 2D image: give a 2D mask of its size`,
  });
  assert.equal(runs, 0);
  await model.session.release();
});

test('the scorecard counts every run in one progress total, and a cancel stops it with nothing returned', async () => {
  const model = await demo();
  const sample = join(ROOT, 'samples', 'meningioma-02.png');
  const seen: [number, number][] = [];
  await explainJob(model, sample, { method: 'gradcam', cacheDir, score: { onProgress: (done, total) => seen.push([done, total]) } });
  // 1 explanation-map copy, 2 × 65 curve points, 2 × 9 ROAD copies, 7 randomised layers.
  assert.ok(seen.every(([, total]) => total === 156));
  assert.deepEqual(seen[seen.length - 1], [156, 156]);
  assert.ok(seen.every(([done], i) => i === 0 || done > seen[i - 1]![0]));
  const controller = new AbortController();
  const cancelled = explainJob(model, sample, { method: 'gradcam', cacheDir, signal: controller.signal, score: { onProgress: () => controller.abort() } });
  await assert.rejects(cancelled, ExplainCancelled);
  await model.session.release();
});
