import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upsampleAndBlur } from '../../../src/core/anomaly/mapOperator';
import { random } from '../../../src/core/explain/seededRandom';
import { gaussianBlur } from '../../../src/core/preprocess/gaussian';
import { resizeImage } from '../../../src/core/preprocess/resize';

test('upsampling and blurring as one operator per axis gives the map that resizing then blurring gives, on square and non-square grids and sizes', () => {
  const next = random(9);
  for (const [gw, gh, w, h, sigma] of [
    [16, 16, 128, 128, 4],
    [7, 9, 224, 200, 2],
    [28, 28, 224, 224, 4],
  ] as const) {
    const grid = Float32Array.from({ length: gw * gh }, () => next() * 20);
    const expected = gaussianBlur(resizeImage({ width: gw, height: gh, channels: 1, data: grid }, { width: w, height: h }, 'linear', 'fill'), sigma).data;
    const ours = upsampleAndBlur(grid, { width: gw, height: gh }, { width: w, height: h }, sigma);
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - expected[i]!));
    assert.ok(worst <= 1e-5, `${gw}x${gh} -> ${w}x${h}, sigma ${sigma}: largest difference ${worst}`);
  }
});
