import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clahe } from '../../../src/core/preprocess/clahe';
import { decodeU8, reference, referenceImage } from './reference';
import { at, imageFrom, rgbImage, std } from './synthetic';

for (const { image, clipLimit, tilesX, tilesY, output } of reference.clahe) {
  const source = referenceImage(image);
  test(`clahe matches OpenCV createCLAHE(${clipLimit}, (${tilesX}, ${tilesY})) on ${image} ${source.width}×${source.height}`, () => {
    const out = clahe(source, { clipLimit, tilesX, tilesY });
    const expected = decodeU8(output);
    // OpenCV rounds its tables and its output to 8 bits; ours stay float.
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! * 255 - expected[i]!));
    assert.ok(worst <= 1 + 1e-3, `worst difference ${worst} levels`);
  });
}

test('a constant image stays constant', () => {
  const out = clahe(imageFrom(64, 48, () => 0.5));
  const first = out.data[0]!;
  assert.ok(out.data.every((v) => Math.abs(v - first) < 1e-6));
});

/** 0.45..0.55 rising across every 16-pixel tile of the default 8×8 grid on 128×128. */
const lowContrastRamps = imageFrom(128, 128, (x) => 0.45 + (0.1 * (x % 16)) / 15);

test('a low-contrast ramp gains contrast, stays in [0,1] and keeps its order within a tile', () => {
  const out = clahe(lowContrastRamps);
  assert.ok(std(out.data) > 2 * std(lowContrastRamps.data), `std ${std(lowContrastRamps.data)} -> ${std(out.data)}`);
  assert.ok(out.data.every((v) => v >= 0 && v <= 1));
  for (const [tx, ty] of [
    [0, 0],
    [3, 4],
    [7, 7],
  ] as const) {
    for (let y = ty * 16; y < ty * 16 + 16; y++) {
      for (let x = tx * 16; x < tx * 16 + 15; x++) assert.ok(at(out, x + 1, y) > at(out, x, y), `(${x}, ${y})`);
    }
  }
});

test('a higher clip limit allows more contrast, and no clipping the most', () => {
  const spread = (clipLimit: number): number => std(clahe(lowContrastRamps, { clipLimit }).data);
  assert.ok(spread(1) < spread(2) && spread(2) < spread(4) && spread(4) < spread(0));
});

test('the input is left untouched and bad parameters name the stage', () => {
  const image = imageFrom(16, 16, (x) => x / 16);
  const before = Float32Array.from(image.data);
  clahe(image);
  assert.deepEqual(image.data, before);
  assert.throws(() => clahe(image, { tilesX: 0 }), /clahe: parameter "tilesX" must be >= 1/);
  assert.throws(() => clahe(image, { tilesY: 2.5 }), /clahe: parameter "tilesY" must be an integer/);
  assert.throws(() => clahe(image, { clipLimit: -1 }), /clahe: parameter "clipLimit"/);
  assert.throws(() => clahe(rgbImage), /clahe: needs a single-channel/);
});
