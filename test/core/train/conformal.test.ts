import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { apsScore, apsSet, apsThreshold } from '../../../src/core/train/conformal';
import { ROOT } from '../../helpers/paths';

interface Reference {
  calibration: { probabilities: number[][]; truth: number[] };
  test: { probabilities: number[][]; truth: number[] };
  scores: number[];
  results: { alpha: number; threshold: number; sets: number[][]; coverage: number; mean_size: number }[];
}

const reference = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'train', 'conformal-reference.json'), 'utf8')) as Reference;

test('APS scores, thresholds and prediction sets equal the numpy reference (scripts/reference/conformal_reference.py) for alpha 0.05, 0.1 and 0.2', () => {
  const scores = reference.calibration.probabilities.map((p, i) => apsScore(p, reference.calibration.truth[i]!));
  scores.forEach((s, i) => assert.ok(Math.abs(s - reference.scores[i]!) < 1e-12, `score ${i}: ${s} vs ${reference.scores[i]}`));
  for (const expected of reference.results) {
    const threshold = apsThreshold(scores, expected.alpha);
    assert.ok(Math.abs(threshold - expected.threshold) < 1e-12, `alpha ${expected.alpha}: threshold ${threshold} vs ${expected.threshold}`);
    const sets = reference.test.probabilities.map((p) => apsSet(p, threshold));
    assert.deepEqual(sets, expected.sets, `alpha ${expected.alpha}: sets differ`);
    const covered = sets.filter((set, i) => set.includes(reference.test.truth[i]!)).length / sets.length;
    assert.equal(covered, expected.coverage);
    assert.ok(covered >= 1 - expected.alpha, `alpha ${expected.alpha}: held-out coverage ${covered} < ${1 - expected.alpha}`);
  }
});

test('APS with too few calibration scans for the alpha asked gives every class; a confident scan gets a set of one', () => {
  assert.equal(apsThreshold([0.5, 0.7, 0.9], 0.1), 1);
  assert.deepEqual(apsSet([0.1, 0.2, 0.3, 0.4], 1), [3, 2, 1, 0]);
  assert.deepEqual(apsSet([0.97, 0.01, 0.01, 0.01], 0.9), [0]);
  assert.deepEqual(apsSet([0.5, 0.5, 0, 0], 0.6), [0, 1], 'equal probabilities rank by class index');
});
