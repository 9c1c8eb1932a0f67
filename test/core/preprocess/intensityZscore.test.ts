import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toUnitRange } from '../../../src/core/preprocess/intensity';
import type { Scan } from '../../../src/core/scan/scan';

const scan = { valueRange: { min: 0, max: 255 }, window: { center: 128, width: 256 } } as Pick<Scan, 'valueRange' | 'window'> as Scan;

test('intensity zscore on a slice: (v - mean) / population std, not clipped; a flat slice gives zeros', () => {
  const out = toUnitRange({ width: 4, height: 1, channels: 1, data: Float32Array.of(1, 2, 3, 4) }, scan, { mode: 'zscore' });
  const sd = Math.sqrt(1.25);
  [-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd].forEach((expected, i) => assert.ok(Math.abs(out.data[i]! - expected) < 1e-6, `value ${i}: ${out.data[i]} vs ${expected}`));
  const flat = toUnitRange({ width: 2, height: 1, channels: 1, data: Float32Array.of(7, 7) }, scan, { mode: 'zscore' });
  assert.deepEqual(Array.from(flat.data), [0, 0]);
});
