import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeNpy, encodeNpy } from '../../../src/core/anomaly/npy';
import { fixture } from '../../helpers/paths';

test('reads arrays saved by numpy.save', () => {
  const f4 = decodeNpy(readFileSync(fixture('anomaly', 'numpy-f4.npy')), 'numpy-f4.npy');
  assert.equal(f4.dtype, '<f4');
  assert.deepEqual(f4.shape, [2, 3, 4]);
  assert.deepEqual(
    Array.from(f4.data),
    Array.from({ length: 24 }, (_, i) => i / 8),
  );
  const i4 = decodeNpy(readFileSync(fixture('anomaly', 'numpy-i4.npy')), 'numpy-i4.npy');
  assert.deepEqual(i4.shape, [3]);
  assert.deepEqual(Array.from(i4.data), [3, -1, 7]);
  const f8 = decodeNpy(readFileSync(fixture('anomaly', 'numpy-f8.npy')), 'numpy-f8.npy');
  assert.equal(f8.dtype, '<f8');
  assert.deepEqual(f8.shape, [2, 3]);
  assert.deepEqual(
    Array.from(f8.data),
    Array.from({ length: 6 }, (_, i) => i / 3),
  );
});

test('writes byte-for-byte what numpy.save writes', () => {
  const bytes = encodeNpy({ dtype: '<f4', shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i / 8) });
  assert.deepEqual(Buffer.from(bytes), readFileSync(fixture('anomaly', 'numpy-f4.npy')));
  assert.deepEqual(Buffer.from(encodeNpy({ dtype: '<i4', shape: [3], data: Int32Array.from([3, -1, 7]) })), readFileSync(fixture('anomaly', 'numpy-i4.npy')));
  const thirds = Float64Array.from({ length: 6 }, (_, i) => i / 3);
  assert.deepEqual(Buffer.from(encodeNpy({ dtype: '<f8', shape: [2, 3], data: thirds })), readFileSync(fixture('anomaly', 'numpy-f8.npy')));
});

test('refuses broken files with a reason naming the file', () => {
  const good = encodeNpy({ dtype: '<f4', shape: [4], data: new Float32Array(4) });
  assert.throws(() => decodeNpy(Buffer.from('not numpy at all'), 'x.npy'), /^ScanLensError: x\.npy: not a \.npy file/);
  assert.throws(() => decodeNpy(good.subarray(0, good.length - 4), 'short.npy'), /short\.npy: \.npy data is 12 bytes; shape \(4,\) needs 16/);
  const f2 = Buffer.from(good);
  f2.write("'<f2'", f2.indexOf("'<f4'"), 'latin1');
  assert.throws(() => decodeNpy(f2, 'f2.npy'), /dtype '<f2' is not supported/);
});
