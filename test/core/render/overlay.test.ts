import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLORMAPS, blendHeat, colormap, colourise } from '../../../src/core/render/colormaps';
import sharp from 'sharp';
import { explanationPng } from '../../../src/core/render/explanationOverlay';
import { overlayHeatmap } from '../../../src/core/render/overlay';

const FILL = { size: { width: 2, height: 2 }, fit: 'fill' } as const;
const close = (a: readonly number[], b: readonly number[], tol = 1e-3): boolean => a.every((v, i) => Math.abs(v - b[i]!) <= tol);

test('colormaps hit their published end points', () => {
  assert.ok(close(colormap('jet')(0), [0, 0, 0.5]));
  assert.ok(close(colormap('jet')(1), [0.5, 0, 0]));
  assert.ok(close(colormap('viridis')(0), [0x44 / 255, 0x01 / 255, 0x54 / 255]));
  assert.ok(close(colormap('inferno')(1), [0xfc / 255, 0xff / 255, 0xa4 / 255]));
  // Turbo's polynomial fit runs from dark blue to dark red.
  const [r0, , b0] = colormap('turbo')(0.1);
  const [r1, , b1] = colormap('turbo')(0.9);
  assert.ok(b0 > r0 && r1 > b1);
});

test('overlay blends (1 − alpha)·base + alpha·colour', () => {
  const base = { width: 2, height: 1, channels: 1, data: Float32Array.from([0.2, 1]) };
  const heat = { width: 2, height: 1, channels: 1, data: Float32Array.from([0, 1]) };
  const out = overlayHeatmap(base, heat, 'jet', 0.25);
  assert.ok(close(Array.from(out.data), [0.15, 0.15, 0.275, 0.875, 0.75, 0.75]));
  assert.throws(() => overlayHeatmap(base, { ...heat, width: 1, data: Float32Array.from([0]) }), /heat map is 1×1/);
  // NaN heat, a pixel the model did not see, leaves the base as it is.
  const unseen = overlayHeatmap(base, { ...heat, data: Float32Array.from([Number.NaN, 1]) }, 'jet', 0.25);
  assert.ok(close(Array.from(unseen.data), [0.2, 0.2, 0.2, 0.875, 0.75, 0.75]));
});

test('an explanation map is upsampled to the scan, stretched to the full colour range and written as an RGB PNG', async () => {
  const base = { width: 8, height: 4, channels: 1, data: new Float32Array(32).fill(0.5) };
  const png = explanationPng(base, { width: 2, height: 1, data: Float32Array.from([1, 3]) }, FILL, 'jet', 1);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [8, 4, 3]);
  const byte = (v: number): number => Math.round(v * 255);
  assert.deepEqual(Array.from(data.subarray(0, 3)), colormap('jet')(0).map(byte));
  assert.deepEqual(Array.from(data.subarray(21, 24)), colormap('jet')(1).map(byte));
  const half = await sharp(explanationPng(base, { width: 2, height: 1, data: Float32Array.from([1, 3]) }, FILL, 'jet', 0.5))
    .raw()
    .toBuffer();
  assert.deepEqual(
    Array.from(half.subarray(0, 3)),
    colormap('jet')(0).map((v) => byte(0.5 * 0.5 + 0.5 * v)),
  );
  assert.throws(() => explanationPng(base, { width: 1, height: 1, data: Float32Array.from([1]) }, FILL, 'jet', 2), /alpha must be between 0 and 1/);
});

test("a cover model's map is blended only over the part of the slice the model saw; the cropped margins keep the slice", async () => {
  // An 8×4 slice seen by a 4×4 cover model: its columns 2…5.
  const base = { width: 8, height: 4, channels: 1, data: new Float32Array(32).fill(0.5) };
  const map = { width: 2, height: 1, data: Float32Array.from([1, 3]) };
  const { data } = await sharp(explanationPng(base, map, { size: { width: 4, height: 4 }, fit: 'cover' }, 'jet', 1))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const byte = (v: number): number => Math.round(v * 255);
  const pixel = (x: number): number[] => Array.from(data.subarray(x * 3, x * 3 + 3));
  for (const x of [0, 1, 6, 7]) assert.deepEqual(pixel(x), [128, 128, 128], `column ${x}: the slice itself`);
  assert.deepEqual(pixel(2), colormap('jet')(0).map(byte), 'the left edge of the view: the bottom of the scale');
  assert.deepEqual(pixel(5), colormap('jet')(1).map(byte), 'the right edge of the view: the top of the scale');
});

test('colouring a whole map from the sampled table matches each colormap evaluated point by point', () => {
  // Exact for the piecewise-linear maps; Turbo's clamped polynomial within half an 8-bit level.
  const tolerance = { jet: 1e-5, inferno: 1e-5, viridis: 1e-5, turbo: 0.5 / 255 };
  const heat = Float32Array.from({ length: 2001 }, (_, i) => i / 2000);
  for (const name of COLORMAPS) {
    const fast = colourise(name, heat);
    const exact = colormap(name);
    heat.forEach((v, i) => assert.ok(close(Array.from(fast.subarray(i * 3, i * 3 + 3)), exact(v), tolerance[name]), `${name} at ${v}`));
  }
  assert.deepEqual(
    Array.from(colourise('jet', Float32Array.from([-1, Number.NaN, 2]))),
    [...colormap('jet')(0), ...colormap('jet')(0), ...colormap('jet')(1)].map((v) => Math.fround(v)),
  );
});

test("blending takes colourise's colours to the bit, over grey and RGB bases, with NaN heat leaving the base", () => {
  const heat = Float32Array.from({ length: 64 }, (_, i) => (i % 9 === 4 ? Number.NaN : (i * 37) % 61) / 17 - 0.5);
  const range = { lo: 0.1, hi: 2.9 };
  for (const name of COLORMAPS) {
    const colours = colourise(name, heat, range);
    for (const channels of [1, 3]) {
      const base = { width: 8, height: 8, channels, data: Float32Array.from({ length: 64 * channels }, (_, i) => ((i * 13) % 29) / 28) };
      const out = new Float32Array(64 * 3);
      blendHeat(name, base, heat, range, 0.3, out, 1);
      for (let i = 0; i < 64; i++) {
        for (let c = 0; c < 3; c++) {
          const b = base.data[channels === 1 ? i : i * 3 + c]!;
          const expected = Number.isNaN(heat[i]) ? b : Math.fround((1 - 0.3) * b + 0.3 * colours[i * 3 + c]!);
          assert.equal(out[i * 3 + c], expected, `${name}, ${channels} channel base, pixel ${i} channel ${c}`);
        }
      }
    }
  }
});
