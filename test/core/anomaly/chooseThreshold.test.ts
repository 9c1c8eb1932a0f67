import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreshold } from '../../../src/core/anomaly/chooseThreshold';

const normal = [0.5, 3, 1, 2, 4, 2.5, 1.5, 0.25, 3.5, 2.75];

test('--fpr 0 flags no normal scan (the threshold lies just above the highest), 1 flags them all, 0.25 flags two of ten', () => {
  const none = chooseThreshold(normal, [], { rule: 'fpr', fpr: 0 });
  assert.ok(none.value > 4 && none.value - 4 < 1e-12);
  assert.equal(none.falsePositiveRate, 0);
  assert.equal(chooseThreshold(normal, [], { rule: 'fpr', fpr: 1 }).value, 0.25);
  const quarter = chooseThreshold(normal, [], { rule: 'fpr', fpr: 0.25 });
  assert.ok(quarter.value > 3 && quarter.value < 3.5);
  assert.equal(quarter.falsePositiveRate, 0.2);
  // Negative scores too (reconstruction errors are not, but log-likelihoods may be).
  assert.ok(chooseThreshold([-2, -1, -3], [], { rule: 'fpr', fpr: 0 }).value > -1);
});

test('--f1 weighs anomalous scans against the normals; without them it refuses', () => {
  const best = chooseThreshold(normal, [3.75, 5, 6], { rule: 'f1' });
  assert.equal(best.value, 3.75);
  assert.deepEqual([best.falsePositiveRate, best.recall, best.f1], [0.1, 1, 6 / 7]);
  assert.throws(() => chooseThreshold(normal, [], { rule: 'f1' }), /--f1 needs anomalous scans/);
  assert.throws(() => chooseThreshold([], [1], { rule: 'fpr', fpr: 0.1 }), /no normal scan could be scored/);
});
