import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { PreparePool } from '../../../src/core/classify/preparePool';
import { loadModel } from '../../../src/core/model/loadModel';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { ROOT } from '../../helpers/paths';

const sample = (name: string): string => join(ROOT, 'samples', name);

test('a decode worker that dies mid-batch costs its share of the batch as error rows, and is replaced', async () => {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const pool = new PreparePool({ manifest: model.manifest, limits: DEFAULT_LIMITS }, 2);
  try {
    const files = ['glioma-01.png', 'meningioma-01.png', 'notumor-01.png', 'pituitary-01.png'].map(sample);
    const healthy = await pool.prepareAll(files);
    assert.deepEqual(
      healthy.map((p) => p.error),
      [undefined, undefined, undefined, undefined],
    );
    // As when a native decoder takes a worker down: the process and the other worker's share go on.
    // Forty files: each worker's share of twenty takes several milliseconds, so the first is stopped inside its share.
    const many = Array.from({ length: 10 }, () => files).flat();
    const workers = (pool as unknown as { workers: Worker[] }).workers;
    const pending = pool.prepareAll(many);
    const dying = workers[0]!;
    await dying.terminate();
    const rows = await pending;
    assert.deepEqual(
      rows.map((p) => p.file),
      many,
    );
    const lost = rows.flatMap((p, i) => (p.error === undefined ? [] : [i]));
    assert.deepEqual(
      lost,
      Array.from({ length: 20 }, (_, i) => i),
      "exactly the stopped worker's share, the first half",
    );
    for (const i of lost) assert.match(rows[i]!.error!, /^.+\.png: decode worker stopped \(exit code \d+\)$/);
    assert.notEqual(workers[0], dying, 'a fresh worker took its place');
    const after = await pool.prepareAll(files);
    assert.deepEqual(
      after.map((p) => p.error),
      [undefined, undefined, undefined, undefined],
    );
    after.forEach((p, i) => assert.deepEqual([...p.data!], [...healthy[i]!.data!], `${files[i]} decodes as before`));
  } finally {
    await pool.close();
    await model.session.release();
  }
});
