import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { gradientSession, releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

after(releaseExplainSessions);
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-explain-runtime-'));

test("explanation sessions follow the model's thread count: another count gets its own session and the same map", async () => {
  const one = await loadModel(fixture('explain', 'resnet.onnx'), { threads: 1 });
  const two = await loadModel(fixture('explain', 'resnet.onnx'), { threads: 2 });
  assert.equal(one.threads, 1);
  assert.equal(one.provider, 'cpu');
  const { data } = await prepareInput(await loadScan(fixture('explain', 'input.png')), one.manifest);
  const a = await explainInput(one, data, { method: 'gradcam', classIndex: 1, cacheDir });
  const b = await explainInput(two, data, { method: 'gradcam', classIndex: 1, cacheDir });
  const layer = a.layer!.tensor;
  assert.notEqual(await gradientSession(one, layer, { cacheDir }), await gradientSession(two, layer, { cacheDir }));
  assert.equal(await gradientSession(one, layer, { cacheDir }), await gradientSession(one, layer, { cacheDir }));
  a.map.data.forEach((v, i) => assert.ok(Math.abs(v - b.map.data[i]!) < 1e-5, `map value ${i}`));
  await Promise.all([one.session.release(), two.session.release()]);
});
