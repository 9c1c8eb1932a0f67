import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT } from '../../helpers/paths';

/*
 * A second process explaining the same model starts from onnxruntime's
 * optimised graph, saved in the derived-model cache by the first: the same
 * map to the bit, and a damaged saved graph is rebuilt, never an error.
 */
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-optimized-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

test('the optimised derived graph is saved once, reused to the same map, and rebuilt when damaged', async () => {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const { data } = await prepareInput(await loadScan(join(ROOT, 'samples', 'glioma-01.png')), model.manifest);
  const explain = async (): Promise<Float32Array> => (await explainInput(model, data, { method: 'gradcam', cacheDir })).map.data;
  const first = await explain();
  const saved = readdirSync(cacheDir).filter((f) => f.endsWith('.optimized.onnx'));
  assert.equal(saved.length, 1, readdirSync(cacheDir).join(', '));
  await releaseExplainSessions();
  assert.deepEqual(await explain(), first);
  await releaseExplainSessions();
  writeFileSync(join(cacheDir, saved[0]!), 'not a model');
  assert.deepEqual(await explain(), first);
  await releaseExplainSessions();
  await model.session.release();
});
