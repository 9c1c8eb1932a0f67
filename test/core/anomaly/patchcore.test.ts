import assert from 'node:assert/strict';
import { test } from 'node:test';
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
