import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rank } from '../../../src/core/classify/classify';
import { looksLikeProbabilities, softmax } from '../../../src/core/model/softmax';

test('softmax matches the closed form and sums to 1', () => {
  const p = softmax([1, 2, 3]);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const s = e[0]! + e[1]! + e[2]!;
  p.forEach((v, i) => assert.ok(Math.abs(v - e[i]! / s) < 1e-15));
  assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-12);
});

test('softmax stays finite for large logits', () => {
  const p = softmax([1000, 1001, 999]);
  assert.ok(p.every(Number.isFinite));
  assert.ok(p[1]! > p[0]! && p[0]! > p[2]!);
});

test('rank orders classes by probability and keeps k', () => {
  assert.deepEqual(
    rank(['a', 'b', 'c'], [0.2, 0.5, 0.3], 2).map((r) => r.label),
    ['b', 'c'],
  );
});

test('rank agrees with a full stable sort on a thousand classes with ties, for every k', () => {
  const probabilities = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 97) / 97);
  const labels = probabilities.map((_, i) => `c${i}`);
  const sorted = labels.map((label, i) => ({ label, probability: probabilities[i]! })).sort((a, b) => b.probability - a.probability);
  for (const k of [1, 3, 5, 20, 1000]) assert.deepEqual(rank(labels, probabilities, k), sorted.slice(0, k));
});

test('probability detection accepts distributions and rejects logits', () => {
  assert.equal(looksLikeProbabilities([0.25, 0.75]), true);
  assert.equal(looksLikeProbabilities([2.1, -0.3]), false);
  assert.equal(looksLikeProbabilities([0.2, 0.2]), false);
});
