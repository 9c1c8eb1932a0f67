import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussianBlur, gaussianKernel } from '../../../src/core/preprocess/gaussian';
import { decodeF32, maxAbsDifference, reference, referenceImage } from './reference';
import { at, imageFrom, mean, rgbImage, seededRandom } from './synthetic';

for (const { image, sigma, output } of reference.gaussian) {
  test(`gaussianBlur(sigma ${sigma}) matches scipy gaussian_filter(mode='reflect') on ${image}`, () => {
    const blurred = gaussianBlur(referenceImage(image), sigma);
    assert.ok(maxAbsDifference(blurred.data, decodeF32(output)) < 1e-5);
  });
}

test('the kernel reaches round(4 sigma) and sums to 1', () => {
  assert.equal(gaussianKernel(1).length, 9);
  assert.equal(gaussianKernel(2.5).length, 21);
  assert.ok(Math.abs(gaussianKernel(3).reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('an impulse spreads into a Gaussian of the requested sigma, keeping its mass', () => {
  const size = 65;
  const c = 32;
  const impulse = imageFrom(size, size, (x, y) => (x === c && y === c ? 1 : 0));
  for (const sigma of [1, 2, 3.5]) {
    const out = gaussianBlur(impulse, sigma);
    let mass = 0;
    let secondMoment = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        mass += at(out, x, y);
        secondMoment += at(out, x, y) * (x - c) ** 2;
      }
    }
    assert.ok(Math.abs(mass - 1) < 1e-5, `mass ${mass}`);
    // Truncating at 4 sigma trims the tails' share of the variance: well under 0.1%.
    const spread = Math.sqrt(secondMoment / mass);
    assert.ok(Math.abs(spread - sigma) < 1e-3 * sigma, `sigma ${spread}`);
    assert.ok(Math.abs(at(out, c, c) - 1 / (2 * Math.PI * sigma * sigma)) < 0.01, 'peak height');
  }
});

test('the mean of the image is preserved and a constant image stays constant up to the border', () => {
  const random = seededRandom(1);
  const noisy = imageFrom(40, 30, () => random());
  assert.ok(Math.abs(mean(gaussianBlur(noisy, 2).data) - mean(noisy.data)) < 2e-3);
  const flat = gaussianBlur(
    imageFrom(20, 10, () => 0.42),
    3,
  );
  assert.ok(flat.data.every((v) => Math.abs(v - 0.42) < 1e-6));
});

test('the input is left untouched and bad arguments are refused', () => {
  const image = imageFrom(8, 8, (x) => x / 8);
  const before = Float32Array.from(image.data);
  gaussianBlur(image, 1);
  assert.deepEqual(image.data, before);
  assert.throws(() => gaussianBlur(image, 0), /sigma/);
  assert.throws(() => gaussianBlur(rgbImage, 1), /gaussianBlur.*single-channel/);
});
