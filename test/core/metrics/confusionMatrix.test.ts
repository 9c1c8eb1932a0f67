import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classificationMetrics } from '../../../src/core/metrics/confusionMatrix';

test('confusion matrix, accuracy and precision/recall match a hand count', () => {
  // truth:     a a a b b c
  // predicted: a b a b a c
  const m = classificationMetrics(['a', 'b', 'c'], [0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 0, 2]);
  assert.deepEqual(m.confusion, [
    [2, 1, 0],
    [1, 1, 0],
    [0, 0, 1],
  ]);
  assert.equal(m.accuracy, 4 / 6);
  assert.deepEqual(m.perClass[0], { label: 'a', precision: 2 / 3, recall: 2 / 3, support: 3 });
  assert.deepEqual(m.perClass[1], { label: 'b', precision: 1 / 2, recall: 1 / 2, support: 2 });
  assert.deepEqual(m.perClass[2], { label: 'c', precision: 1, recall: 1, support: 1 });
});

test('a class never predicted has no precision; a class with no files has no recall', () => {
  const m = classificationMetrics(['a', 'b', 'c'], [0, 1], [0, 0]);
  assert.equal(m.perClass[1]!.precision, null);
  assert.equal(m.perClass[1]!.recall, 0);
  assert.equal(m.perClass[2]!.recall, null);
  assert.equal(m.accuracy, 0.5);
});

test('mismatched lengths and empty input are refused', () => {
  assert.throws(() => classificationMetrics(['a'], [0], []), /1 true labels for 0 predictions/);
  assert.throws(() => classificationMetrics(['a'], [], []), /no labelled files/);
});
