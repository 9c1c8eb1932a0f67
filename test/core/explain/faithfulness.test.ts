import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { confidenceChange, imputePixels, roadCurve } from '../../../src/core/explain/faithfulness';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

after(releaseExplainSessions);
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-faith-'));

async function setup() {
  const model = await loadModel(fixture('explain', 'resnet.onnx'), { threads: 1 });
  const { data } = await prepareInput(await loadScan(fixture('explain', 'input.png')), model.manifest);
  const explanation = await explainInput(model, data, { method: 'gradcam', classIndex: 1, cacheDir });
  return { model, data, map: explanation.map };
}

test('linear imputation restores a linear ramp exactly where pixels were removed', async () => {
  const { model } = await setup();
  const { width, height } = model.manifest.input.size;
  const ramp = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) for (let i = 0; i < width * height; i++) ramp[c * width * height + i] = 0.01 * (i % width) + 0.02 * Math.floor(i / width) + c;
  const removed = new Uint8Array(width * height);
  for (let y = 20; y < 30; y++) for (let x = 10; x < 25; x++) removed[y * width + x] = 1;
  const holed = ramp.map((v, i) => (removed[i % (width * height)] ? 0 : v));
  const restored = imputePixels(holed, model, removed, 0);
  assert.ok(restored.every((v, i) => Math.abs(v - ramp[i]!) < 1e-4));
  await model.session.release();
});

test('keeping every pixel changes nothing; ROAD curves are reported per percentage', async () => {
  const { model, data, map } = await setup();
  const all = await confidenceChange(model, data, map, 1, 100);
  assert.equal(all.drop, 0);
  assert.equal(all.kept, all.original);
  const some = await confidenceChange(model, data, map, 1, 20);
  assert.ok(some.drop >= 0 && some.drop <= 1);
  assert.equal(some.increase, some.kept > some.original);
  const most = await roadCurve(model, data, map, 1, 'most-relevant-first', [0, 50]);
  assert.deepEqual(
    most.map((p) => p.percent),
    [0, 50],
  );
  assert.ok(Math.abs(most[0]!.probability - all.original) < 1e-6, 'removing 0% leaves the input as it was');
  await model.session.release();
});
