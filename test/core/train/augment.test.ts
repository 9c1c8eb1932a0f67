import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../src/core/explain/seededRandom';
import { augment } from '../../../src/core/train/augment';

/** Draws in augment's order: flip, angle, gain, offset (0.5 is no rotation, gain 1, offset 0). */
const draws = (values: number[]) => () => values.shift()!;
const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => (i * 7) % 11);

test('augmentation: a mirror with no rotation or intensity change is an exact left-right flip, in either layout', () => {
  const nchw = ramp(2 * 3 * 4);
  const flipped = augment(nchw, { layout: 'NCHW', channels: 2, height: 3, width: 4 }, draws([0, 0.5, 0.5, 0.5]));
  for (let c = 0; c < 2; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) assert.equal(flipped[(c * 3 + y) * 4 + x], nchw[(c * 3 + y) * 4 + (3 - x)]);
  const nhwc = ramp(3 * 4 * 2);
  const flippedHwc = augment(nhwc, { layout: 'NHWC', channels: 2, height: 3, width: 4 }, draws([0, 0.5, 0.5, 0.5]));
  for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 2; c++) assert.equal(flippedHwc[(y * 4 + x) * 2 + c], nhwc[(y * 4 + (3 - x)) * 2 + c]);
  assert.deepEqual(augment(nchw, { layout: 'NCHW', channels: 2, height: 3, width: 4 }, draws([0.9, 0.5, 0.5, 0.5])), nchw);
});

test('augmentation: the largest rotation turns a 5x5 image by 10 degrees about its centre, intensity is gain times value plus offset, and the same seed gives the same copy', () => {
  const geometry = { layout: 'NCHW' as const, channels: 1, height: 5, width: 5 };
  const dot = new Float32Array(25);
  dot[2 * 5 + 4] = 1; // right of centre by 2 pixels
  const turned = augment(dot, geometry, draws([0.9, 1, 0.5, 0.5]));
  const mass = turned.reduce((s, v) => s + v, 0);
  const [cy, cx] = [0, 1].map((axis) => turned.reduce((s, v, i) => s + v * (axis === 0 ? Math.floor(i / 5) : i % 5), 0) / mass);
  const degrees = (Math.atan2(cy! - 2, cx! - 2) * 180) / Math.PI;
  assert.ok(Math.abs(Math.abs(degrees) - 10) < 1, `turned by ${degrees}°`);

  const image = ramp(25);
  const mean = image.reduce((s, v) => s + v, 0) / 25;
  const sd = Math.sqrt(image.reduce((s, v) => s + (v - mean) ** 2, 0) / 25);
  const brighter = augment(image, geometry, draws([0.9, 0.5, 1, 1]));
  brighter.forEach((v, i) => assert.ok(Math.abs(v - (image[i]! * 1.1 + 0.1 * sd)) < 1e-5));

  assert.deepEqual(augment(image, geometry, random(7)), augment(image, geometry, random(7)));
  assert.notDeepEqual(augment(image, geometry, random(7)), augment(image, geometry, random(8)));
});
