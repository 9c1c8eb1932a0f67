import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Method } from '../../../src/core/anomaly/detector';
import { percentiles } from '../../../src/core/preprocess/percentile';
import { AnomalyJobCancelled, addToDetector, fitAnomalyDetector, isScored, openAnomalyScorer, scoreAnomalies, type AnomalyRow } from '../../../src/core/jobs/anomalyJob';
import type { LoadedModel } from '../../../src/core/model/loadModel';
import { getModel } from '../../../src/core/model/modelCache';
import { ROOT } from '../../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-anomaly-add-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const list = (folder: string): string[] =>
  readdirSync(join(ROOT, folder))
    .sort()
    .map((name) => join(ROOT, folder, name));
/** 20 held-out normal slices of the ch2 template, and 20 with lesions. */
const NORMAL = list('samples/anomaly/normal');
const LESION = list('samples/anomaly/lesion');
let backbone: LoadedModel;

before(async () => {
  backbone = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
});

async function fit(method: Method, files: readonly string[], out: string): Promise<string> {
  const fitted = await fitAnomalyDetector(files, { method, backbone, channels: 24, seed: 3, percentile: 95, bankSize: 512, threads: 1, cacheDir: work });
  await fitted.save(join(work, out));
  return join(work, out);
}

async function scores(detector: string, files: readonly string[]): Promise<number[]> {
  const scorer = await openAnomalyScorer(detector, { threads: 1, cacheDir: work });
  const rows: AnomalyRow[] = [];
  for await (const row of scoreAnomalies(scorer, { files })) rows.push(row);
  assert.ok(rows.every(isScored));
  return rows.map((r) => (isScored(r) ? r.score : NaN));
}

const manifestOf = (folder: string): { training: { images: number; added?: number }; threshold: { value: number; calibration: { images: number } }; parameters: Record<string, number> } =>
  JSON.parse(readFileSync(join(folder, 'detector.json'), 'utf8'));

test('PaDiM: fitting on half the normals then adding the other half scores every scan as a full refit on all of them', async () => {
  const half = await fit('padim', NORMAL.slice(0, 10), 'half');
  const before = await scores(half, NORMAL.slice(10));
  const outcome = await addToDetector(half, { files: NORMAL.slice(10) }, { threads: 1, cacheDir: work });
  const full = await fit('padim', NORMAL, 'full');

  // 8 + 2 of each half fitted + held out, as the full refit's 16 + 4 (every fifth held out).
  assert.equal(outcome.added, 8);
  assert.deepEqual(outcome.summary, { files: 10, scored: 10, failed: 0 });
  const [added, refit] = [manifestOf(half), manifestOf(full)];
  assert.equal(added.training.images, 16);
  assert.equal(added.training.added, 8);
  assert.equal(refit.training.images, 16);
  assert.equal(added.parameters['images'], 16);

  const all = [...NORMAL, ...LESION];
  const [a, b] = [await scores(half, all), await scores(full, all)];
  const worst = Math.max(...a.map((s, i) => Math.abs(s - b[i]!)));
  console.log(`largest score difference, add vs refit, over ${all.length} scans: ${worst}`);
  assert.ok(worst <= 1e-6, `largest difference ${worst}`);

  // The threshold is the detector's percentile of the new held-out normals (the 15th and 20th) under the updated detector.
  const heldOut = [a[14]!, a[19]!];
  assert.deepEqual(outcome.calibrationScores, heldOut);
  assert.equal(added.threshold.value, percentiles(Float32Array.from(heldOut), [95])[0]);
  assert.equal(added.threshold.calibration.images, 2);
  // The added normals now belong to the model of normal: they score lower than before they were added.
  const after = a.slice(10, 20);
  assert.ok(after.reduce((x, y) => x + y) < before.reduce((x, y) => x + y), `${after} vs ${before}`);
});

test('PatchCore: adding re-condenses the memory bank to its size; a bad file is an error row and the rest are added; a cancelled add writes nothing', async () => {
  const half = await fit('patchcore', NORMAL.slice(0, 10), 'patchcore');
  const bank = manifestOf(half).parameters['bank']!;
  const before = await scores(half, NORMAL.slice(10));
  // Cancelled: nothing is written.
  const saved = readFileSync(join(half, 'detector.json'));
  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(addToDetector(half, { files: NORMAL.slice(10) }, { threads: 1, cacheDir: work, signal: aborted.signal }), AnomalyJobCancelled);
  assert.ok(readFileSync(join(half, 'detector.json')).equals(saved));
  const broken = join(work, 'broken.png');
  cpSync(join(ROOT, 'samples', 'labels.csv'), broken);
  const outcome = await addToDetector(half, { files: [broken, ...NORMAL.slice(10)], missing: [{ file: 'nowhere', error: 'nowhere: not found' }] }, { threads: 1, cacheDir: work });
  // The unreadable file is among those to fold in (every fifth of the 11 is held out).
  assert.equal(outcome.added, 8);
  assert.equal(outcome.failed.length, 2);
  assert.match(outcome.failed[1]!.error, /broken\.png: /);
  assert.deepEqual(outcome.summary, { files: 12, scored: 10, failed: 2 });
  const manifest = manifestOf(half);
  assert.equal(manifest.parameters['bank'], bank);
  assert.equal(manifest.training.images, 16);
  // The added normals' patches now sit in the bank, or near what stands for them.
  const after = await scores(half, NORMAL.slice(10));
  assert.ok(after.reduce((x, y) => x + y) < before.reduce((x, y) => x + y), `${after} vs ${before}`);
});
