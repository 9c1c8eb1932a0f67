import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skullStrip, skullStripMask } from '../../../src/core/preprocess/skullStrip';
import { imageFrom, rgbImage, seededNormal } from './synthetic';

/**
 * A synthetic axial slice, 128×128 around (64, 64): bright skull ring
 * (radius 48..58), dark gap, brain disc (radius < 40) with a dark ventricle,
 * and a 4-pixel bridge of brain-like tissue from the disc to the skull.
 */
const noise = seededNormal(11);
const radius = (x: number, y: number): number => Math.hypot(x - 64, y - 64);
const isBridge = (x: number, y: number): boolean => y >= 62 && y < 66 && x >= 100 && x < 114;
const head = imageFrom(128, 128, (x, y) => {
  const r = radius(x, y);
  let v = 0.02;
  if (r < 40) v = r < 6 ? 0.15 : 0.6;
  else if (r < 48) v = isBridge(x, y) ? 0.6 : 0.1;
  else if (r < 58) v = 0.85;
  return Math.min(1, Math.max(0, v + 0.02 * noise()));
});

test('keeps the brain disc, ventricle included, and removes the skull ring and the bridge', () => {
  const mask = skullStripMask(head);
  for (let y = 0; y < 128; y++) {
    for (let x = 0; x < 128; x++) {
      const r = radius(x, y);
      const inside = mask.data[y * 128 + x] === 1;
      if (r < 38) assert.ok(inside, `brain (${x}, ${y}) dropped`);
      if (r >= 45) assert.ok(!inside, `(${x}, ${y}) at radius ${r.toFixed(1)} kept`);
    }
  }
});

test('the stripped image is the input inside the mask and 0 outside', () => {
  const mask = skullStripMask(head);
  const stripped = skullStrip(head);
  assert.ok(mask.data.every((v) => v === 0 || v === 1));
  for (let i = 0; i < head.data.length; i++) assert.equal(stripped.data[i], mask.data[i] ? head.data[i] : 0);
});

test('without the opening the bridge joins skull to brain and the skull is kept', () => {
  const mask = skullStripMask(head, { openRadius: 0 });
  assert.equal(mask.data[64 * 128 + 64 + 53], 1);
});

test('a blank slice has no brain', () => {
  assert.ok(skullStrip(imageFrom(16, 16, () => 0.3)).data.every((v) => v === 0));
});

test('the input is left untouched and bad parameters name the stage', () => {
  const before = Float32Array.from(head.data);
  skullStrip(head);
  assert.deepEqual(head.data, before);
  assert.throws(() => skullStrip(head, { openRadius: 1.5 }), /skullstrip: parameter "openRadius" must be an integer/);
  assert.throws(() => skullStripMask(head, { closeRadius: -1 }), /skullstrip: parameter "closeRadius" must be >= 0/);
  assert.throws(() => skullStrip(rgbImage), /skullstrip: needs a single-channel/);
});
