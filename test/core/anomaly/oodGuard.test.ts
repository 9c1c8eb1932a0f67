import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { guardFor, OUT_OF_DISTRIBUTION } from '../../../src/core/anomaly/oodGuard';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { ROOT } from '../../helpers/paths';

const work = mkdtempSync(join(tmpdir(), 'scanlens-ood-'));
process.env['SCANLENS_CACHE_DIR'] = work;

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

test('a classifier whose manifest names a detector flags scans over its threshold', async () => {
  // The demo classifier, copied with anomaly.detector pointing at the shipped demo detector.
  const demo = join(ROOT, 'models', 'brain-mri-demo');
  copyFileSync(join(demo, 'model.onnx'), join(work, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(work, 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: join(ROOT, 'models', 'brain-mri-demo-padim') } }));
  const guard = await guardFor(await getModel(join(work, 'model.json'), { threads: 2 }));
  assert.ok(guard);
  const lesion = await guard.check(join(ROOT, 'samples', 'anomaly', 'lesion', 'meningioma-02.png'));
  assert.equal(lesion.flag, OUT_OF_DISTRIBUTION);
  assert.ok(lesion.anomalyScore >= lesion.threshold);
  const normal = await guard.check(join(ROOT, 'samples', 'anomaly', 'normal', 'normal-02.png'));
  assert.equal(normal.flag, undefined);
  assert.equal(await guardFor(await getModel(join(demo, 'model.json'), { threads: 2 })), undefined);
});
