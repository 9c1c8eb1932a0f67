import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../src/core/explain/seededRandom';
import { STRENGTHS, chooseStrength } from '../../../src/core/train/chooseStrength';

test('the cross-validation choice and every score are the same whether the folds run on worker threads or in this one', async () => {
  const next = random(4);
  const [n, d, classes] = [120, 16, 3];
  const features = new Float32Array(n * d);
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) features[i * d + j] = (j % classes === labels[i] ? 0.8 : 0) + next() - 0.5;
  const data = { features, dimensions: d, labels, classes };
  const here = await chooseStrength(data, 3, 0);
  const threads = await chooseStrength(data, 3, 2);
  assert.deepEqual(threads, here);
  assert.equal(here.scores.length, STRENGTHS.length);
  assert.equal(here.folds, 5);
  assert.ok(
    here.scores.every((s) => Number.isFinite(s.nll)),
    'every strength scored',
  );
});
