import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { guardFor, hasGuard, OUT_OF_DISTRIBUTION, verdict } from '../../../src/core/anomaly/oodGuard';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { resliceScan } from '../../../src/core/scan/reslice';
import { FLAGGED_SAMPLE, NORMAL_SAMPLE, guardedDemoModel } from '../../helpers/guardedModel';
import { ROOT, fixture } from '../../helpers/paths';

const work = mkdtempSync(join(tmpdir(), 'scanlens-ood-'));
process.env['SCANLENS_CACHE_DIR'] = work;

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

test('a classifier whose manifest names a detector flags scans over its threshold', async () => {
  // The demo classifier, copied with anomaly.detector pointing at the shipped demo detector.
  const guarded = await getModel(guardedDemoModel(work), { threads: 2 });
  assert.equal(hasGuard(guarded), true);
  const guard = await guardFor(guarded);
  assert.ok(guard);
  const lesion = await guard.check(FLAGGED_SAMPLE);
  assert.equal(lesion.flag, OUT_OF_DISTRIBUTION);
  assert.ok(lesion.anomalyScore >= lesion.threshold);
  const normal = await guard.check(NORMAL_SAMPLE);
  assert.equal(normal.flag, undefined);
  const demo = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 2 });
  assert.equal(hasGuard(demo), false);
  assert.equal(await guardFor(demo), undefined);
});

test('a slice already in memory gets the verdict its file gets, and so does a slice of a volume', async () => {
  const guard = (await guardFor(await getModel(guardedDemoModel(work), { threads: 2 })))!;
  for (const file of [FLAGGED_SAMPLE, NORMAL_SAMPLE]) {
    const { score, threshold } = await guard.scorer.scoreSlice(await loadScan(file, DEFAULT_LIMITS), 0);
    assert.deepEqual(verdict(score, threshold), await guard.check(file));
  }
  // A file's score is per 2D slice, so a volume file is refused; the viewer scores the slice on screen instead.
  const volume = fixture('nifti', 'ras-grid.nii');
  await assert.rejects(guard.check(volume), /anomaly scores are per 2D slice/);
  const coronal = resliceScan(await loadScan(volume, DEFAULT_LIMITS), 'coronal');
  const scored = await guard.scorer.scoreSlice(coronal, 3);
  const slice = verdict(scored.score, scored.threshold);
  const recorded = (JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-demo-padim', 'detector.json'), 'utf8')) as { threshold: { value: number } }).threshold.value;
  assert.ok(Number.isFinite(slice.anomalyScore));
  assert.equal(slice.threshold, recorded);
});
