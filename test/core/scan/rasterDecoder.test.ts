import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { pngClaiming } from '../../helpers/pngBomb';

const W = 37;
const H = 23;

/** The values scripts/reference/make_test_fixtures.py wrote with PIL. */
function pattern16(): Uint16Array {
  const values = new Uint16Array(W * H);
  for (let i = 0; i < values.length; i++) values[i] = Number((BigInt(i) * 2654435761n) % 65536n);
  values.set([0, 65535, 1, 257]);
  return values;
}

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-raster-'));

for (const name of ['grey16.png', 'grey16.tif']) {
  test(`16-bit ${name} written by PIL decodes to the exact stored values`, async () => {
    const scan = await loadScan(fixture('raster', name));
    assert.deepEqual(scan.shape, [1, H, W]);
    assert.equal(scan.channels, 1);
    assert.equal(scan.bitsPerSample, 16);
    assert.ok(scan.voxels instanceof Uint16Array);
    assert.deepEqual(Array.from(scan.voxels), Array.from(pattern16()));
    assert.deepEqual(scan.valueRange, { min: 0, max: 65535 });
  });
}

test('16-bit RGB PNG keeps all 16 bits per channel', async () => {
  const values = new Uint16Array(4 * 3 * 3);
  for (let i = 0; i < values.length; i++) values[i] = (i * 4099 + 3) % 65536;
  const file = join(tmp, 'rgb16.png');
  writeFileSync(
    file,
    await sharp(values, { raw: { width: 4, height: 3, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer(),
  );
  const scan = await loadScan(file);
  assert.equal(scan.channels, 3);
  assert.equal(scan.bitsPerSample, 16);
  assert.deepEqual(Array.from(scan.voxels), Array.from(values));
});

test('8-bit RGB PNG decodes to interleaved RGB bytes', async () => {
  const scan = await loadScan(fixture('raster', 'rgb8.png'));
  const grey = pattern16();
  assert.equal(scan.channels, 3);
  assert.equal(scan.bitsPerSample, 8);
  for (const i of [0, 1, 2, 3, 100, W * H - 1]) {
    assert.equal(scan.voxels[3 * i], grey[i]! >> 8);
    assert.equal(scan.voxels[3 * i + 1], grey[i]! & 0xff);
    assert.equal(scan.voxels[3 * i + 2], 7);
  }
});

test('format is recognised by content, not by the file extension', async () => {
  const scan = await loadScan(fixture('raster', 'grey8-named.jpg'));
  assert.equal(scan.format, 'png');
  assert.equal(scan.voxels[1], 65535 >> 8);
});

test('JPEG and WebP decode through sharp', async () => {
  const grey = new Uint8Array(64 * 48).map((_, i) => (i % 64) * 4);
  for (const format of ['jpeg', 'webp'] as const) {
    const file = join(tmp, `ramp.${format}`);
    const image = sharp(grey, { raw: { width: 64, height: 48, channels: 1 } });
    writeFileSync(file, await image[format]({ quality: 95 }).toBuffer());
    const scan = await loadScan(file);
    assert.equal(scan.format, format);
    assert.deepEqual(scan.shape.slice(1), [48, 64]);
    // Lossy, but a ramp must stay a ramp.
    assert.ok(Math.abs(scan.voxels[scan.channels * 60]! - 240) < 12, `${format} ramp end`);
  }
});

test('a PNG header claiming 100000×100000 pixels is refused with a one-line error naming the file', async () => {
  const file = join(tmp, 'bomb.png');
  writeFileSync(file, pngClaiming(100000, 100000));
  await assert.rejects(loadScan(file), (error: Error) => {
    assert.match(error.message, /bomb\.png: image is 100000×100000 pixels, over the limit of 67108864 pixels/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
});

test('the pixel limit is configurable', async () => {
  await assert.rejects(loadScan(fixture('raster', 'grey16.png'), { ...DEFAULT_LIMITS, maxPixels: 100 }), /over the limit of 100 pixels/);
});

for (const blockingRead of [false, true]) {
  test(`unrecognised, empty, truncated, missing, folder and oversized files give one-line reasons (${blockingRead ? 'blocking' : 'async'} read)`, async () => {
    const load = (path: string, limits = DEFAULT_LIMITS): Promise<unknown> => loadScan(path, limits, { blockingRead });
    const text = join(tmp, 'notes.png');
    writeFileSync(text, 'this is not an image');
    await assert.rejects(load(text), /notes\.png: not a recognised scan format/);
    const empty = join(tmp, 'empty.png');
    writeFileSync(empty, '');
    await assert.rejects(load(empty), /empty\.png: file is empty/);
    const good = await sharp(new Uint8Array(4096).fill(9), { raw: { width: 64, height: 64, channels: 1 } })
      .png()
      .toBuffer();
    const truncated = join(tmp, 'truncated.png');
    writeFileSync(truncated, good.subarray(0, 60));
    await assert.rejects(load(truncated), (error: Error) => /truncated\.png: cannot (decode|read)/.test(error.message) && !error.message.includes('\n'));
    await assert.rejects(load(join(tmp, 'absent.png')), /absent\.png: no such file/);
    await assert.rejects(load(tmp), /not a regular file|is a folder/);
    await assert.rejects(load(fixture('raster', 'grey16.png'), { ...DEFAULT_LIMITS, maxFileBytes: 100 }), /grey16\.png: file is \d+ bytes, over the limit of 100/);
    const scan = (await load(fixture('raster', 'grey16.png'))) as Awaited<ReturnType<typeof loadScan>>;
    assert.deepEqual(Array.from(scan.voxels), Array.from(pattern16()));
  });
}

test('a multi-page TIFF whose pages together are over the voxel limit is refused from its header, without decoding', async () => {
  // Two 8192² RGB pages: each is within the pixel limit, together 402M samples
  // (the voxel limit is 268M). Blank pages deflate to a few hundred KB.
  const side = 8192;
  const file = join(tmp, 'pages.tif');
  writeFileSync(
    file,
    await sharp({ create: { width: side, height: 2 * side, channels: 3, background: '#000', pageHeight: side }, limitInputPixels: false })
      .tiff({ compression: 'deflate' })
      .toBuffer(),
  );
  // In a child process, so its peak RSS is this load's alone.
  const child = join(tmp, 'loadPages.mts');
  const loadScanTs = join(process.cwd(), 'src/core/scan/loadScan.ts');
  writeFileSync(
    child,
    `import { loadScan } from ${JSON.stringify(loadScanTs)};\n` +
      `let message = 'loaded';\n` +
      `try { await loadScan(${JSON.stringify(file)}); } catch (error) { message = error instanceof Error ? error.message : String(error); }\n` +
      `process.stdout.write(JSON.stringify({ message, rssMb: process.resourceUsage().maxRSS / 1024 }));\n`,
  );
  const started = Date.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(run.status, 0, run.stderr);
  const { message, rssMb } = JSON.parse(run.stdout) as { message: string; rssMb: number };
  assert.match(message, /^[^\n]*pages\.tif: image has 2 pages of 8192×8192×3 samples .*over the limits of 268435456 samples/);
  assert.ok(rssMb < 300, `peak RSS ${rssMb.toFixed(0)} MB (decoding would take over 800 MB)`);
  assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
});
