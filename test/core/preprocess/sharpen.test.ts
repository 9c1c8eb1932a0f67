import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharpen } from '../../../src/core/preprocess/sharpen';
import { at, imageFrom, rgbImage } from './synthetic';

const step = imageFrom(32, 8, (x) => (x < 16 ? 0.3 : 0.6));

test('a step edge gets steeper: darker just before it, brighter just after', () => {
  const out = sharpen(step);
  for (let y = 0; y < 8; y++) {
    assert.ok(at(out, 15, y) < 0.3 - 0.05 && at(out, 16, y) > 0.6 + 0.05, `row ${y}`);
    assert.ok(at(out, 16, y) - at(out, 15, y) > 0.3 * 1.3);
  }
});

test('flat regions are unchanged, including far from the edge', () => {
  const flat = sharpen(imageFrom(20, 20, () => 0.7));
  assert.ok(flat.data.every((v) => Math.abs(v - 0.7) < 1e-6));
  const out = sharpen(step);
  assert.ok(Math.abs(at(out, 2, 4) - 0.3) < 1e-6 && Math.abs(at(out, 29, 4) - 0.6) < 1e-6);
});

test('more amount, more overshoot; output is clamped to [0,1]', () => {
  const strong = sharpen(step, { amount: 3 });
  assert.ok(at(strong, 15, 3) < at(sharpen(step), 15, 3));
  const hard = sharpen(
    imageFrom(32, 8, (x) => (x < 16 ? 0.02 : 0.98)),
    { amount: 5 },
  );
  assert.ok(hard.data.every((v) => v >= 0 && v <= 1));
  assert.equal(at(hard, 15, 0), 0);
  assert.equal(at(hard, 16, 0), 1);
});

test('detail below the threshold is left alone', () => {
  const ripple = imageFrom(32, 32, (x) => 0.5 + (x % 2 ? 0.01 : -0.01));
  const out = sharpen(ripple, { threshold: 0.05 });
  assert.deepEqual(out.data, ripple.data);
  assert.notDeepEqual(sharpen(ripple).data, ripple.data);
});

test('the input is left untouched and bad parameters name the stage', () => {
  const before = Float32Array.from(step.data);
  sharpen(step);
  assert.deepEqual(step.data, before);
  assert.throws(() => sharpen(step, { sigma: 0 }), /sharpen: parameter "sigma" must be > 0/);
  assert.throws(() => sharpen(step, { amount: -1 }), /sharpen: parameter "amount" must be >= 0/);
  assert.throws(() => sharpen(rgbImage), /sharpen: needs a single-channel/);
});
