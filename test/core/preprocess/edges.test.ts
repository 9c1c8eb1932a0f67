import assert from 'node:assert/strict';
import { test } from 'node:test';
import { edges, sobelMagnitude } from '../../../src/core/preprocess/edges';
import { decodeF32, maxAbsDifference, reference, referenceImage } from './reference';
import { at, imageFrom, rgbImage } from './synthetic';

for (const { image, output } of reference.sobel) {
  test(`sobelMagnitude matches hypot(scipy ndimage.sobel along both axes) / 4 on ${image}`, () => {
    assert.ok(maxAbsDifference(sobelMagnitude(referenceImage(image)).data, decodeF32(output)) < 1e-6);
  });
}

test('a flat image has no edges and passes through unchanged', () => {
  const flat = imageFrom(16, 16, () => 0.4);
  assert.ok(sobelMagnitude(flat).data.every((v) => v === 0));
  assert.deepEqual(edges(flat).data, flat.data);
});

test('the gradient peaks on the two columns either side of a step, at the step height', () => {
  const step = imageFrom(20, 10, (x) => (x < 10 ? 0.2 : 0.5));
  const magnitude = sobelMagnitude(step);
  for (let y = 0; y < 10; y++) {
    for (let x = 0; x < 20; x++) {
      const expected = x === 9 || x === 10 ? 0.3 : 0;
      assert.ok(Math.abs(at(magnitude, x, y) - expected) < 1e-6, `(${x}, ${y})`);
    }
  }
  const out = edges(step, { amount: 0.5 });
  assert.ok(Math.abs(at(out, 9, 5) - 0.35) < 1e-6 && Math.abs(at(out, 10, 5) - 0.65) < 1e-6);
  assert.ok(Math.abs(at(out, 3, 5) - 0.2) < 1e-6);
});

test('output is clamped to [0,1]', () => {
  const out = edges(
    imageFrom(8, 8, (x) => (x < 4 ? 0 : 1)),
    { amount: 2 },
  );
  assert.ok(out.data.every((v) => v >= 0 && v <= 1));
  assert.equal(at(out, 3, 3), 1);
});

test('the input is left untouched and bad parameters name the stage', () => {
  const image = imageFrom(8, 8, (x) => x / 8);
  const before = Float32Array.from(image.data);
  edges(image);
  assert.deepEqual(image.data, before);
  assert.throws(() => edges(image, { amount: -0.1 }), /edges: parameter "amount" must be >= 0/);
  assert.throws(() => edges(rgbImage), /edges: needs a single-channel/);
});
