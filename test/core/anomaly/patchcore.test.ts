import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localAverage } from '../../../src/core/anomaly/features/localAverage';
import { greedyCoreset } from '../../../src/core/anomaly/patchcore/greedyCoreset';
import { PatchcoreDetector } from '../../../src/core/anomaly/patchcore/patchcoreDetector';
import { PatchcoreFitter } from '../../../src/core/anomaly/patchcore/patchcoreFitter';
import { random } from '../../../src/core/explain/seededRandom';

test('greedy coreset takes the farthest point each time', () => {
  // 1-D points; from any start the k-centre order is fixed after the first two picks.
  const rows = Float32Array.from([0, 1, 2, 10, 11, 30]);
  const chosen = greedyCoreset(rows, 1, 3, 7);
  const start = rows[chosen[0]!]!;
  const expectedSecond = Math.abs(start - 0) > Math.abs(start - 30) ? 0 : 30;
  assert.equal(rows[chosen[1]!], expectedSecond);
  // The third pick is the point farthest from both chosen ones.
  const far = (x: number): number => Math.min(Math.abs(x - start), Math.abs(x - expectedSecond));
  const best = Math.max(
    ...Array.from(rows)
      .filter((_, i) => !chosen.slice(0, 2).includes(i))
      .map(far),
  );
  assert.equal(far(rows[chosen[2]!]!), best);
  assert.deepEqual(greedyCoreset(rows, 1, 3, 7), chosen, 'seeded: the same picks every time');
  assert.equal(new Set(greedyCoreset(rows, 1, 6, 1)).size, 6);
});

test('nearest-neighbour distance map equals brute force', () => {
  const next = random(3);
  const d = 5;
  const bank = Float32Array.from({ length: 40 * d }, () => next());
  const features = Float32Array.from({ length: d * 9 }, () => next() * 2);
  const map = new PatchcoreDetector(bank, d).distanceMap(features);
  for (let pos = 0; pos < 9; pos++) {
    let best = Infinity;
    for (let r = 0; r < 40; r++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += (features[c * 9 + pos]! - bank[r * d + c]!) ** 2;
      best = Math.min(best, sum);
    }
    assert.ok(Math.abs(map[pos]! - Math.sqrt(best)) < 1e-6);
  }
});

test('fitter memory is bounded and training patches score near zero', () => {
  const next = random(11);
  const d = 3;
  const fitter = new PatchcoreFitter(d, { bankSize: 16, bufferSize: 64, seed: 0 });
  const images = Array.from({ length: 20 }, () => Float32Array.from({ length: d * 10 }, () => next()));
  for (const image of images) fitter.add(image);
  const detector = fitter.finish();
  assert.equal(detector.size, 16);
  // A far-away patch is farther than any training patch.
  const trainMax = Math.max(...images.flatMap((im) => Array.from(detector.distanceMap(im))));
  const outlier = detector.distanceMap(Float32Array.from([5, 5, 5]))[0]!;
  assert.ok(outlier > trainMax, `outlier ${outlier} vs training max ${trainMax}`);
});

test('locally aware features: each position is the zero-padded 3×3 mean, as AvgPool2d(3, 1, 1)', () => {
  const next = random(5);
  const [w, h] = [5, 4];
  const plane = Float32Array.from({ length: w * h }, () => next() * 10 - 5);
  const pooled = localAverage(plane, w, h, 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h) sum += plane[(y + dy) * w + x + dx]!;
      assert.ok(Math.abs(pooled[y * w + x]! - sum / 9) < 1e-6, `(${x}, ${y})`);
    }
  }
  assert.deepEqual(localAverage(plane, w, h, 1), plane, 'a 1×1 neighbourhood changes nothing');
});

test('image score: the worst patch distance, weighted up when its nearest bank entry is isolated', () => {
  // 1-D bank: a dense cluster near 0 and one isolated entry at 100.
  const bank = Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 100]);
  const detector = new PatchcoreDetector(bank, 1);
  const score = (x: number): number => {
    const features = Float32Array.from([x, 0.45]);
    return detector.imageScore(features, detector.distanceMap(features));
  };
  // Both patches are 3 from their nearest entry; the one matched in the sparse region scores higher.
  const dense = score(-3);
  const isolated = score(103);
  assert.ok(isolated > dense, `isolated ${isolated} vs dense ${dense}`);
  // The weight is 1 − softmax at m*, so the score lies in (0, s*].
  for (const s of [dense, isolated]) assert.ok(s > 0 && s <= 3 + 1e-6, `${s}`);
  // Dense: m* = 0 and its 9 nearest entries 0…0.8; the patch at −3 is 3…3.8 from them.
  const d = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((b) => b + 3);
  const expected = (1 - Math.exp(d[0]!) / d.reduce((sum, x) => sum + Math.exp(x), 0)) * 3;
  assert.ok(Math.abs(dense - expected) < 1e-5, `${dense} vs ${expected}`);
});
