import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
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

interface Map2D {
  width: number;
  height: number;
  data: number[];
}

interface Reference {
  readonly class: number;
  readonly models: Record<string, { file: string; layer?: string; scorecam: Map2D; ablationcam: Map2D }>;
}

/** scripts/reference/gradient_free_reference.py: Score-CAM and AblationCAM in PyTorch, as pytorch-grad-cam defines them. */
const reference = JSON.parse(readFileSync(fixture('explain', 'gradient_free.json'), 'utf8')) as Reference;
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-gradient-free-'));
after(releaseExplainSessions);

for (const [name, expected] of Object.entries(reference.models)) {
  for (const method of ['scorecam', 'ablationcam'] as const) {
    test(`${method} on the ${name} export${expected.layer ? ` at ${expected.layer}` : ''} matches the PyTorch reference to 1e-3 (min-max normalised)`, async (t) => {
      const model = await loadModel(fixture('explain', expected.file), { threads: 1 });
      const { data } = await prepareInput(await loadScan(fixture('explain', 'input.png')), model.manifest);
      const result = await explainInput(model, data, { method, classIndex: reference.class, layer: expected.layer, cacheDir });
      const theirs = expected[method];
      assert.deepEqual([result.map.height, result.map.width], [theirs.height, theirs.width]);
      const ours = minMaxNormalise(result.map.data);
      const normalised = minMaxNormalise(Float32Array.from(theirs.data));
      const worst = Math.max(...ours.map((v, i) => Math.abs(v - normalised[i]!)));
      t.diagnostic(`largest difference ${worst.toExponential(2)}`);
      assert.ok(worst <= 1e-3, `largest difference ${worst}`);
      await model.session.release();
    });
  }
}
