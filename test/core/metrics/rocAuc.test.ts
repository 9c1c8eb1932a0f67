import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneVsRestRoc, rocCurve } from '../../../src/core/metrics/rocAuc';

test('AUC equals the share of positive/negative pairs ranked right (hand count)', () => {
  // positives 0.9, 0.4; negatives 0.6, 0.2: pairs (0.9>0.6, 0.9>0.2, 0.4<0.6, 0.4>0.2) → 3/4
  const roc = rocCurve([0.9, 0.6, 0.4, 0.2], [true, false, true, false]);
  assert.equal(roc.auc, 0.75);
  assert.deepEqual(roc.fpr, [0, 0, 0.5, 0.5, 1]);
  assert.deepEqual(roc.tpr, [0, 0.5, 0.5, 1, 1]);
});

test('tied scores count half, as scikit-learn does', () => {
  // one positive and one negative with the same score: AUC 0.5
  assert.equal(rocCurve([0.5, 0.5], [true, false]).auc, 0.5);
  // positive 0.8, 0.5; negative 0.5: pairs 1 + 0.5 → 0.75
  assert.equal(rocCurve([0.8, 0.5, 0.5], [true, true, false]).auc, 0.75);
});

test('one kind only gives no AUC', () => {
  assert.equal(rocCurve([0.1, 0.2], [true, true]).auc, null);
});

test('one-vs-rest takes each class column as the score', () => {
  const probs = [
    [0.7, 0.2, 0.1],
    [0.3, 0.6, 0.1],
    [0.5, 0.1, 0.4],
  ];
  const curves = oneVsRestRoc(['a', 'b', 'c'], [0, 1, 2], probs);
  assert.deepEqual(
    curves.map((c) => c.auc),
    [1, 1, 1],
  );
  // class a against the rest with the second item's truth moved: a=[0,0,2] → positives 0.7, 0.3; negative 0.5 → 1/2
  assert.equal(oneVsRestRoc(['a', 'b', 'c'], [0, 0, 2], probs)[0]!.auc, 0.5);
});
