import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otsuThreshold } from '../../../src/core/preprocess/otsu';
import { reference, referenceImage } from './reference';
import { imageFrom, seededNormal } from './synthetic';

for (const { image, threshold } of reference.otsu) {
  test(`otsuThreshold matches skimage threshold_otsu on ${image}`, () => {
    assert.ok(Math.abs(otsuThreshold(referenceImage(image).data) - threshold) < 1e-6);
  });
}

test('a bimodal image is split between its two modes', () => {
  const noise = seededNormal(7);
  // Dark background at 0.2 (two thirds), bright tissue at 0.7.
  const image = imageFrom(60, 60, (x) => (x < 40 ? 0.2 : 0.7) + 0.03 * noise());
  const t = otsuThreshold(image.data);
  assert.ok(t > 0.25 && t < 0.65, `threshold ${t}`);
  // The threshold is a bin centre (as in skimage), so the odd pixel in the
  // upper half of that bin may land on the other side.
  const above = image.data.filter((v) => v > t).length;
  assert.ok(Math.abs(above - 20 * 60) <= 3, `${above} above`);
});

test('a single grey level is its own threshold, so nothing lies above it', () => {
  assert.equal(otsuThreshold(new Float32Array([0.25, 0.25, 0.25])), 0.25);
  assert.throws(() => otsuThreshold(new Float32Array(0)), /no values/);
});
