import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { choleskyPacked, packedLength } from '../../../src/core/anomaly/linalg';
import { padim } from '../../../src/core/anomaly/padim';
import { GaussianStats } from '../../../src/core/anomaly/padim/gaussianStats';
import { PadimDetector } from '../../../src/core/anomaly/padim/padimDetector';
import { PadimFitter } from '../../../src/core/anomaly/padim/padimFitter';
import { fixture } from '../../helpers/paths';

interface PadimCase {
  n: number;
  d: number;
  p: number;
  epsilon: number;
  /** n rows of d × p, channel-major. */
  train: number[][];
  test: number[];
  /** p rows of d. */
  mean: number[][];
  covariance: number[][][];
  distance: number[];
}

const ref = (JSON.parse(readFileSync(fixture('anomaly', 'reference.json'), 'utf8')) as { padim: PadimCase }).padim;

const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('streamed mean and covariance equal the two-pass numpy values', () => {
  const stats = new GaussianStats(ref.p, ref.d);
  for (const row of ref.train) stats.add(row);
  for (let pos = 0; pos < ref.p; pos++) {
    for (let c = 0; c < ref.d; c++) assert.ok(close(stats.mean[pos * ref.d + c]!, ref.mean[pos]![c]!, 1e-12));
    const cov = stats.covariance(pos, ref.epsilon);
    for (let i = 0; i < ref.d; i++) for (let j = 0; j <= i; j++) assert.ok(close(cov[(i * (i + 1)) / 2 + j]!, ref.covariance[pos]![i]![j]!, 1e-12), `cov[${pos}][${i}][${j}]`);
  }
});

test('Cholesky factor reproduces the matrix and refuses an indefinite one', () => {
  const d = 3;
  const a = [4, 2, 5, -2, 1, 6]; // packed [[4,2,-2],[2,5,1],[-2,1,6]]
  const l = choleskyPacked(a, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = 0; k <= j; k++) sum += l[(i * (i + 1)) / 2 + k]! * l[(j * (j + 1)) / 2 + k]!;
      assert.ok(Math.abs(sum - a[(i * (i + 1)) / 2 + j]!) < 1e-12);
    }
  }
  assert.throws(() => choleskyPacked([1, 2, 1], 2), /not positive definite/);
  assert.equal(packedLength(4), 10);
});

test('PaDiM Mahalanobis map equals numpy with the explicit inverse', () => {
  const fitter = new PadimFitter(ref.p, ref.d, ref.epsilon);
  for (const row of ref.train) fitter.add(Float32Array.from(row));
  const detector = fitter.finish();
  const map = detector.distanceMap(Float32Array.from(ref.test));
  // The detector stores float32 arrays (what is saved is what scores), so agreement is to float32 precision.
  map.forEach((v, pos) => assert.ok(close(v, ref.distance[pos]!, 2e-5), `position ${pos}: ${v} vs ${ref.distance[pos]}`));
  const reloaded = PadimDetector.fromArrays(detector.arrays(), detector.parameters(), 'x');
  assert.deepEqual(reloaded.distanceMap(Float32Array.from(ref.test)), map);
});

test('a position scores the same on any grid size: positions solved four at a time and the leftovers agree with numpy', () => {
  const fitter = new PadimFitter(ref.p, ref.d, ref.epsilon);
  for (const row of ref.train) fitter.add(Float32Array.from(row));
  const fitted = fitter.finish();
  const full = fitted.distanceMap(Float32Array.from(ref.test));
  const packed = packedLength(ref.d);
  for (let p = 1; p <= ref.p; p++) {
    const detector = new PadimDetector(p, ref.d, fitted.mean.slice(0, p * ref.d), fitted.cholesky.slice(0, p * packed), ref.epsilon);
    const features = Float32Array.from({ length: ref.d * p }, (_, i) => ref.test[Math.floor(i / p) * ref.p + (i % p)]!);
    const map = detector.distanceMap(features);
    map.forEach((v, pos) => assert.ok(close(v, ref.distance[pos]!, 2e-5), `${p} positions, position ${pos}: ${v} vs ${ref.distance[pos]}`));
    assert.deepEqual(map, full.subarray(0, p));
  }
});

test('memory does not grow with the number of images added', () => {
  const stats = new GaussianStats(4, 3);
  const before = stats.comoment.length + stats.mean.length;
  for (let i = 0; i < 500; i++) stats.add(Float32Array.from({ length: 12 }, (_, k) => Math.sin(i * 7 + k)));
  assert.equal(stats.comoment.length + stats.mean.length, before);
  assert.equal(stats.count, 500);
  assert.throws(() => stats.add(new Float32Array(5)), /expected 3×4 features/);
});

test('a detector reloaded from its arrays goes on fitting exactly: fit on some images, save, reload, add the rest = one fit on all', () => {
  const whole = new PadimFitter(ref.p, ref.d, ref.epsilon);
  for (const row of ref.train) whole.add(Float32Array.from(row));
  const expected = whole.finish();
  for (const split of [2, 5, ref.n - 1]) {
    const first = new PadimFitter(ref.p, ref.d, ref.epsilon);
    for (const row of ref.train.slice(0, split)) first.add(Float32Array.from(row));
    const saved = first.finish();
    const reloaded = PadimDetector.fromArrays(saved.arrays(), saved.parameters(), 'x');
    const resumed = padim.resume(reloaded, { positions: ref.p, channels: ref.d, seed: 0 }, 'x');
    for (const row of ref.train.slice(split)) resumed.add(Float32Array.from(row));
    const detector = resumed.finish();
    assert.equal(resumed.count, ref.n);
    assert.deepEqual(detector.arrays(), expected.arrays(), `after ${split} images`);
    assert.deepEqual(detector.parameters(), { epsilon: ref.epsilon, images: ref.n });
  }
});

test('running statistics are checked on load: both arrays, float64, their shapes, and the image count', () => {
  const fitter = new PadimFitter(ref.p, ref.d, ref.epsilon);
  for (const row of ref.train) fitter.add(Float32Array.from(row));
  const arrays = fitter.finish().arrays();
  const { comoment: _comoment, ...oneOnly } = arrays;
  assert.throws(
    () => PadimDetector.fromArrays(oneOnly, { epsilon: ref.epsilon, images: ref.n }, 'd.json'),
    /d\.json: PaDiM running statistics need float64 arrays running_mean .* and comoment .*, both/,
  );
  const short = { ...arrays, comoment: { dtype: '<f8' as const, shape: [ref.p, 2], data: new Float64Array(ref.p * 2) } };
  assert.throws(() => PadimDetector.fromArrays(short, { epsilon: ref.epsilon, images: ref.n }, 'd.json'), /running statistics are \[.*\] and \[5, 2\], expected/);
  assert.throws(() => PadimDetector.fromArrays(arrays, { epsilon: ref.epsilon, images: 1.5 }, 'd.json'), /'parameters\.images': must be the number of images/);
  const { running_mean: _mean, comoment: _co, ...old } = arrays;
  const legacy = PadimDetector.fromArrays(old, { epsilon: ref.epsilon }, 'd.json');
  assert.throws(() => padim.resume(legacy, { positions: ref.p, channels: ref.d, seed: 0 }, 'd.json'), /d\.json: has no running statistics .* refit it with anomaly fit/);
});
