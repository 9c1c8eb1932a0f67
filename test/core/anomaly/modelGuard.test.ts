import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseFeatureSessions } from '../../../src/core/anomaly/features/featureSession';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { modelGuard } from '../../../src/core/anomaly/modelGuard';
import { FLAGGED_SAMPLE, guardedDemoModel } from '../../helpers/guardedModel';

const work = mkdtempSync(join(tmpdir(), 'scanlens-slice-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
// A provider this platform's onnxruntime never lists (DirectML is Windows-only, Core ML macOS-only).
const LACKING = process.platform === 'win32' ? 'coreml' : 'dml';

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

test("a model's guard is opened once, and runs with the provider and threads its model was loaded with; new settings get a new guard", async () => {
  const manifest = guardedDemoModel(work);
  const one = await getModel(manifest, { threads: 1 });
  const guard = await modelGuard(one);
  assert.ok(guard);
  assert.equal(await modelGuard(one), guard, 'opened once per loaded model');
  const { score, threshold } = await guard.scorer.scoreSlice(await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS), 0);
  assert.ok(score >= threshold, 'the lesion sample is flagged');

  // Changing scanlens.threads loads the model anew (the host's loadWithSettings), and with it a new guard.
  const two = await getModel(manifest, { threads: 2 });
  assert.notEqual(two, one);
  assert.notEqual(await modelGuard(two), guard);

  // No onnxruntime here runs LACKING, so a model recorded as loaded with it shows where the detector's runtime comes from.
  await assert.rejects(modelGuard({ ...one, provider: LACKING }), { message: new RegExp(`execution provider '${LACKING}' is not in this onnxruntime`) });
  await assert.rejects(modelGuard({ ...one, threads: 0 }), { message: /thread count must be a positive whole number, got 0/ });
});
