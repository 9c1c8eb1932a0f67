import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denoise } from '../../../src/core/preprocess/denoise';
import { gaussianBlur } from '../../../src/core/preprocess/gaussian';
import { decodeF32, maxAbsDifference, reference, referenceImage } from './reference';
import { at, imageFrom, rgbImage, seededNormal, std } from './synthetic';

for (const { image, sigmaSpatial, sigmaRange, output } of reference.bilateral) {
  test(`denoise matches cv2.bilateralFilter (disk window, BORDER_REFLECT) on ${image}`, () => {
    const out = denoise(referenceImage(image), { sigmaSpatial, sigmaRange });
    assert.ok(maxAbsDifference(out.data, decodeF32(output)) < 1e-5);
  });
}

test('noise on a flat image loses most of its variance', () => {
  const noise = seededNormal(3);
  const noisy = imageFrom(64, 64, () => 0.5 + 0.03 * noise());
  const before = std(noisy.data);
  const after = std(denoise(noisy).data);
  // The spatial Gaussian averages ~12 pixels' worth; the range weights give a little of that back.
  assert.ok(after ** 2 < before ** 2 / 5, `std ${before} -> ${after}`);
});

test('a step edge stays sharp while the noise beside it is smoothed', () => {
  const noise = seededNormal(4);
  const step = imageFrom(64, 32, (x) => (x < 32 ? 0.2 : 0.8) + 0.02 * noise());
  const out = denoise(step);
  const blurred = gaussianBlur(step, 1);
  for (let y = 4; y < 28; y++) {
    // Either side of the edge keeps its level; a plain blur of the same sigma smears it.
    assert.ok(Math.abs(at(out, 31, y) - 0.2) < 0.05 && Math.abs(at(out, 32, y) - 0.8) < 0.05, `row ${y}`);
    assert.ok(Math.abs(at(blurred, 31, y) - 0.2) > 0.1);
  }
  const flatRight = Array.from({ length: 24 }, (_, i) => at(out, 48, i + 4));
  assert.ok(std(flatRight) < 0.01);
});

test('the input is left untouched and bad parameters name the stage', () => {
  const image = imageFrom(8, 8, (x) => x / 8);
  const before = Float32Array.from(image.data);
  denoise(image);
  assert.deepEqual(image.data, before);
  assert.throws(() => denoise(image, { sigmaRange: 0 }), /denoise: parameter "sigmaRange" must be > 0/);
  assert.throws(() => denoise(image, { sigmaSpatial: Number.NaN }), /denoise: parameter "sigmaSpatial"/);
  assert.throws(() => denoise(rgbImage), /denoise: needs a single-channel/);
});
