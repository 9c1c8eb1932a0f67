import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { decodePlainPng } from '../../../src/core/scan/pngDecoder';
import { decodeRaster } from '../../../src/core/scan/rasterDecoder';
import type { Scan } from '../../../src/core/scan/scan';
import { fixture } from '../../helpers/paths';
import { chunk, writePng, type PngSpec } from '../../helpers/pngWriter';

const SAMPLES = { 0: 1, 2: 3, 4: 2, 6: 4 } as const;

function spec(colourType: 0 | 2 | 4 | 6, bitDepth: 8 | 16, width = 13, height = 11, idatChunks = 1): PngSpec {
  const count = width * height * SAMPLES[colourType];
  const max = bitDepth === 16 ? 65536 : 256;
  const samples = Array.from({ length: count }, (_, i) => (i * 2654435761) % max);
  return { width, height, colourType, bitDepth, samples, idatChunks };
}

const same = (ours: Scan, theirs: Scan): void => {
  assert.equal(ours.voxels.constructor, theirs.voxels.constructor);
  assert.deepEqual({ ...ours, voxels: Array.from(ours.voxels) }, { ...theirs, voxels: Array.from(theirs.voxels) });
};

for (const colourType of [0, 2, 4, 6] as const) {
  for (const bitDepth of [8, 16] as const) {
    test(`PNG colour type ${colourType}, ${bitDepth}-bit, all five row filters, split IDAT: the same scan as libvips decodes`, async () => {
      const png = writePng(spec(colourType, bitDepth, 13, 11, 3));
      const ours = decodePlainPng(png, 'x.png', DEFAULT_LIMITS);
      assert.ok(ours, 'decoded without sharp');
      same(ours, await decodeRaster(png, 'x.png', 'png', DEFAULT_LIMITS));
    });
  }
}

test('PNGs written by PIL and by libvips decode to what libvips reads from them', async () => {
  for (const name of ['grey16.png', 'rgb8.png']) {
    const png = readFileSync(fixture('raster', name));
    const ours = decodePlainPng(png, name, DEFAULT_LIMITS);
    assert.ok(ours, name);
    same(ours, await decodeRaster(png, name, 'png', DEFAULT_LIMITS));
  }
});

/** The image's header, one IDAT with these bytes, and IEND. */
function withImageData(base: PngSpec, data: Buffer): Buffer {
  const png = writePng(base);
  return Buffer.concat([png.subarray(0, 33), chunk('IDAT', data), png.subarray(png.length - 12)]);
}

test('PNGs it does not read plainly are left to sharp: colour profile, damaged CRC, unknown filter, short data, truncated file, interlaced', () => {
  const base = spec(0, 8);
  const damaged = writePng(base);
  damaged[damaged.length - 20]! ^= 0xff;
  const interlaced = writePng(base);
  interlaced[28] = 1;
  const rows = Buffer.alloc((base.width + 1) * base.height);
  for (let y = 0; y < base.height; y++) rows[y * (base.width + 1)] = 9;
  const leftAlone = {
    profile: writePng({ ...base, before: [{ type: 'iCCP', data: Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(Buffer.alloc(8))]) }] }),
    damaged,
    filter: withImageData(base, deflateSync(rows)),
    short: withImageData(base, deflateSync(rows.subarray(0, 20))),
    truncated: writePng(base).subarray(0, 60),
    interlaced,
  };
  for (const [why, png] of Object.entries(leftAlone)) assert.equal(decodePlainPng(png, 'x.png', DEFAULT_LIMITS), undefined, why);
});

test('a zlib bomb behind a small header is not inflated past the size the header implies', () => {
  // 4×4 grey promises 20 bytes of rows; the stream inflates to 64 MiB.
  const bomb = withImageData(spec(0, 8, 4, 4), deflateSync(Buffer.alloc(64 * 1024 * 1024)));
  const before = process.memoryUsage().arrayBuffers;
  assert.equal(decodePlainPng(bomb, 'bomb.png', DEFAULT_LIMITS), undefined);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
});

test('the pixel limit is enforced from the header, before anything is inflated', () => {
  const png = writePng(spec(0, 8, 64, 64));
  assert.throws(() => decodePlainPng(png, 'big.png', { ...DEFAULT_LIMITS, maxPixels: 1000 }), /big\.png.*64×64 pixels, over the limit of 1000/);
});
