import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalize } from '../../../src/core/preprocess/normalize';
import { percentiles } from '../../../src/core/preprocess/percentile';
import { imageFrom, rgbImage } from './synthetic';

/** 0.20..0.60 in 10000 even steps, with one very bright and one very dark outlier. */
const scan = imageFrom(100, 100, (x, y) => {
  const i = y * 100 + x;
  if (i === 0) return 0;
  if (i === 9999) return 1;
  return 0.2 + (0.4 * i) / 9999;
});

test('the 1st and 99th percentiles map to 0 and 1, with everything beyond clipped', () => {
  const [p1, p99] = percentiles(scan.data, [1, 99]) as [number, number];
  const out = normalize(scan);
  assert.ok(out.data.every((v) => v >= 0 && v <= 1));
  for (let i = 0; i < scan.data.length; i++) {
    const v = scan.data[i]!;
    const expected = Math.min(1, Math.max(0, (v - p1) / (p99 - p1)));
    assert.ok(Math.abs(out.data[i]! - expected) < 1e-6);
  }
  // The outliers no longer set the range: 1% of pixels sit at each end.
  assert.equal(out.data.filter((v) => v === 0).length, 100);
  assert.ok(Math.abs(out.data.filter((v) => v === 1).length - 100) <= 1);
});

test('custom percentiles: 0 and 100 are a min–max rescale', () => {
  const out = normalize(
    imageFrom(5, 1, (x) => 0.3 + 0.1 * x),
    { low: 0, high: 100 },
  );
  Array.from(out.data).forEach((v, x) => assert.ok(Math.abs(v - x / 4) < 1e-6));
});

test('an image with nothing to stretch passes through unchanged', () => {
  const blank = imageFrom(10, 10, () => 0.25);
  assert.deepEqual(normalize(blank).data, blank.data);
});

test('the input is left untouched and bad parameters name the stage', () => {
  const before = Float32Array.from(scan.data);
  normalize(scan);
  assert.deepEqual(scan.data, before);
  assert.throws(() => normalize(scan, { low: 60, high: 40 }), /normalize: parameter "high" must be > 60/);
  assert.throws(() => normalize(scan, { low: -1 }), /normalize: parameter "low" must be >= 0/);
  assert.throws(() => normalize(rgbImage), /normalize: needs a single-channel/);
});
