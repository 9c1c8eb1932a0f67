import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { minMaxNormalise } from '../../../src/core/explain/upsample';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

interface Reference {
  readonly class: number;
  readonly models: Record<string, { file: string; logits: number[]; cam: { width: number; height: number; data: number[] } }>;
}

const reference = JSON.parse(readFileSync(fixture('explain', 'reference.json'), 'utf8')) as Reference;
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-explain-'));
after(releaseExplainSessions);

for (const [name, expected] of Object.entries(reference.models)) {
  test(`Grad-CAM on the ${name} export matches PyTorch autograd Grad-CAM to 1e-4`, async () => {
    const model = await loadModel(fixture('explain', expected.file), { threads: 1 });
    const scan = await loadScan(fixture('explain', 'input.png'));
    const { data } = await prepareInput(scan, model.manifest);
    const result = await explainInput(model, data, { method: 'gradcam', classIndex: reference.class, cacheDir });
    assert.equal(result.layer?.source, 'automatic');
    assert.deepEqual([result.map.height, result.map.width], [expected.cam.height, expected.cam.width]);
    const ours = minMaxNormalise(result.map.data);
    const theirs = minMaxNormalise(Float32Array.from(expected.cam.data));
    const worst = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]!)));
    assert.ok(worst <= 1e-4, `largest difference ${worst}`);
    const probabilities = Array.from(expected.logits, (l) => Math.exp(l));
    const total = probabilities.reduce((a, b) => a + b, 0);
    result.probabilities.forEach((p, i) => assert.ok(Math.abs(p - probabilities[i]! / total) < 1e-5));
    await model.session.release();
  });
}
