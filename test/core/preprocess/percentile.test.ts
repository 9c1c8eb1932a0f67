import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentiles } from '../../../src/core/preprocess/percentile';
import { reference, referenceImage } from './reference';

test('percentiles match numpy.percentile (linear interpolation)', () => {
  const image = referenceImage('texture');
  const expected = reference.percentile.map((e) => e.value);
  const actual = percentiles(
    image.data,
    reference.percentile.map((e) => e.p),
  );
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `p${reference.percentile[i]!.p}: ${v} vs ${expected[i]}`));
});

test('on 0..100 the p-th percentile is p, interpolating between ranks', () => {
  const values = Float32Array.from({ length: 101 }, (_, i) => 100 - i);
  assert.deepEqual(percentiles(values, [0, 1, 50, 99, 100]), [0, 1, 50, 99, 100]);
  assert.deepEqual(percentiles(new Float32Array([0, 10]), [25]), [2.5]);
  assert.throws(() => percentiles(values, [101]), /outside 0\.\.100/);
});
