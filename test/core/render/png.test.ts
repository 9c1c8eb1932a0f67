import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { encodePng } from '../../../src/core/render/png';

async function decoded(png: Buffer): Promise<{ data: Buffer; channels: number; width: number; height: number }> {
  const { channels } = await sharp(png).metadata();
  // sharp would widen grey to RGB on output unless told to keep it.
  const { data, info } = await sharp(png)
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, channels: info.channels, width: info.width, height: info.height };
}

test('PNGs decode (with libvips, not our code) to exactly the 8-bit pixels written, grey and RGB, odd sizes', async () => {
  for (const [width, height, channels] of [
    [1, 1, 1],
    [7, 3, 1],
    [5, 9, 3],
    [128, 64, 3],
  ] as const) {
    const data = Float32Array.from({ length: width * height * channels }, (_, i) => ((i * 37) % 256) / 255);
    const back = await decoded(await encodePng({ width, height, channels, data }));
    assert.deepEqual([back.width, back.height, back.channels], [width, height, channels]);
    assert.deepEqual(
      Array.from(back.data),
      Array.from(data, (v) => Math.round(v * 255)),
    );
  }
});

test('RGBA decodes (with libvips) to the pixels and straight alpha written, transparent pixels included', async () => {
  const data = Float32Array.from({ length: 5 * 3 * 4 }, (_, i) => (i % 4 === 3 ? (i % 8 === 3 ? 0 : 1) : ((i * 53) % 256) / 255));
  const { data: back, info } = await sharp(await encodePng({ width: 5, height: 3, channels: 4, data }))
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [5, 3, 4]);
  assert.deepEqual(
    Array.from(back),
    Array.from(data, (v) => Math.round(v * 255)),
  );
});

test('values outside [0,1] are clamped and NaN is written as black', async () => {
  const back = await decoded(await encodePng({ width: 4, height: 1, channels: 1, data: Float32Array.from([-0.5, 1.5, Number.NaN, 0.5]) }));
  assert.deepEqual(Array.from(back.data), [0, 255, 0, 128]);
});

test('smooth images compress: a 256² gradient takes a small fraction of its raw size', async () => {
  const data = Float32Array.from({ length: 256 * 256 * 3 }, (_, i) => (Math.floor(i / 3) % 256) / 255);
  const png = await encodePng({ width: 256, height: 256, channels: 3, data });
  assert.ok(png.length < (256 * 256 * 3) / 20, `${png.length} bytes`);
});
