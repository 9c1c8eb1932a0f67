import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Tensor } from 'onnxruntime-node';
import { explainInput } from '../../../src/core/explain/explain';
import { modelGraph, releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { initializerValues, parameterLayers } from '../../../src/core/explain/scorecard/parameterLayers';
import { randomisationCheck } from '../../../src/core/explain/scorecard/randomisationCheck';
import { loadModel } from '../../../src/core/model/loadModel';
import { ort } from '../../../src/core/native/ort';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT } from '../../helpers/paths';

after(releaseExplainSessions);
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-randomisation-'));

async function setup() {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo'), { threads: 1 });
  const { data } = await prepareInput(await loadScan(join(ROOT, 'samples', 'glioma-01.png')), model.manifest);
  const options = { method: 'gradcam' as const, cacheDir };
  return { model, data, options, explanation: await explainInput(model, data, options) };
}

test("the demo model's layers are re-initialised from the output down: the classifier, then each convolution", async () => {
  const { model } = await setup();
  const layers = parameterLayers(await modelGraph(model));
  assert.deepEqual(
    layers.map((l) => l.name),
    ['/classifier/Gemm', ...[17, 14, 10, 7, 3, 0].map((k) => `/features/features.${k}/Conv`)],
  );
  await model.session.release();
});

test("fed the model's own weights, the parameter-input models give the maps the model itself gives (gradient, activation and input methods)", async () => {
  const { model, data, options } = await setup();
  const graph = await modelGraph(model);
  const parameters: Record<string, Tensor> = {};
  for (const t of parameterLayers(graph).flatMap((l) => l.tensors)) parameters[t.name] = new (ort().Tensor)('float32', initializerValues(graph, t.name), [...t.dims]);
  for (const method of ['gradcam', 'eigencam', 'occlusion'] as const) {
    const own = await explainInput(model, data, { ...options, method });
    const fed = await explainInput(model, data, { ...options, method, parameters });
    const worst = Math.max(...own.map.data.map((v, i) => Math.abs(v - fed.map.data[i]!)));
    assert.ok(worst < 1e-5 * Math.max(...own.map.data.map(Math.abs)), `${method}: largest difference ${worst}`);
  }
  await assert.rejects(explainInput(model, data, { ...options, method: 'ablationcam', parameters }), /weights cannot be fed to ablationcam/);
  await model.session.release();
});

test('randomising the layers really changes the Grad-CAM map, and the seed makes the check reproducible', async () => {
  const { model, data, options, explanation } = await setup();
  const first = await randomisationCheck(model, data, explanation, options, 42, {});
  assert.ok('steps' in first);
  assert.equal(first.steps.length, 7);
  // A map unrelated to the original has rank correlation near 0; the learned model's own map would give 1.
  for (const step of first.steps) {
    assert.ok(Math.abs(step.spearman!) < 0.5, `${step.layer}: Spearman ${step.spearman}`);
    assert.ok(step.ssim! < 0.5, `${step.layer}: SSIM ${step.ssim}`);
  }
  const again = await randomisationCheck(model, data, explanation, options, 42, {});
  assert.deepEqual(again, first);
  const other = await randomisationCheck(model, data, explanation, options, 7, {});
  assert.ok('steps' in other);
  assert.notDeepEqual(
    other.steps.map((s) => s.spearman),
    first.steps.map((s) => s.spearman),
  );
  await model.session.release();
});

test('the check counts its steps in progress and is not run for AblationCAM or FullGrad', async () => {
  const { model, data, options, explanation } = await setup();
  const seen: [number, number][] = [];
  await randomisationCheck(model, data, explanation, options, 42, { onProgress: (done, total) => seen.push([done, total]) });
  assert.deepEqual(
    seen,
    [1, 2, 3, 4, 5, 6, 7].map((k) => [k, 7]),
  );
  for (const method of ['ablationcam', 'fullgrad'] as const)
    assert.deepEqual(await randomisationCheck(model, data, explanation, { ...options, method }, 42, {}), { skipped: `not available for ${method}` });
  await model.session.release();
});

test("EigenCAM's map changes too once the layers are randomised", async () => {
  const { model, data } = await setup();
  const options = { method: 'eigencam' as const, cacheDir };
  const explanation = await explainInput(model, data, options);
  const check = await randomisationCheck(model, data, explanation, options, 42, {});
  assert.ok('steps' in check);
  assert.equal(check.steps.length, 7);
  // The classifier alone does not touch EigenCAM's activations; from the last convolution down they change.
  assert.ok(check.steps[0]!.spearman! > 0.99, `classifier only: Spearman ${check.steps[0]!.spearman}`);
  for (const step of check.steps.slice(1)) assert.ok(Math.abs(step.spearman!) < 0.9, `${step.layer}: Spearman ${step.spearman}`);
  await model.session.release();
});
