import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

test('info --json reports exact 16-bit statistics', () => {
  const { status, stdout, stderr } = runCli(['info', fixture('raster', 'grey16.png'), '--json']);
  assert.equal(status, 0, stderr);
  const info = JSON.parse(stdout) as { format: string; bitsPerSample: number; shape: object; stats: { min: number; max: number; mean: number } };
  assert.equal(info.format, 'png');
  assert.equal(info.bitsPerSample, 16);
  assert.deepEqual(info.shape, { depth: 1, height: 23, width: 37 });
  assert.equal(info.stats.min, 0);
  assert.equal(info.stats.max, 65535);
  let sum = 0;
  for (let i = 0; i < 37 * 23; i++) sum += i < 4 ? [0, 65535, 1, 257][i]! : Number((BigInt(i) * 2654435761n) % 65536n);
  assert.ok(Math.abs(info.stats.mean - sum / (37 * 23)) < 1e-9);
});

test('info on a decompression bomb exits 1 with one line', () => {
  const { status, stderr } = runCli(['info', fixture('raster', 'grey16.png'), '--max-pixels', '10']);
  assert.equal(status, 1);
  assert.equal(stderr.trim().split('\n').length, 1);
  assert.match(stderr, /grey16\.png: image is 37×23 pixels, over the limit of 10 pixels/);
});

test('preprocess writes one viewable PNG per stage, in order', async () => {
  const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
  const { status, stderr } = runCli(['preprocess', 'samples/glioma-01.png', '--out', out, '--json']);
  assert.equal(status, 0, stderr);
  const files = readdirSync(out).sort();
  assert.deepEqual(files, [
    '00-input.png',
    '01-denoise.png',
    '02-clahe.png',
    '03-sharpen.png',
    '04-edges.png',
    '05-normalize.png',
    '06-skullstrip.png',
    '07-model-input.png',
  ]);
  const input = await sharp(join(out, '00-input.png')).stats();
  const stripped = await sharp(join(out, '06-skullstrip.png')).stats();
  // Skull stripping zeroes the background and skull: more dark pixels than the input.
  assert.ok(stripped.channels[0]!.mean < input.channels[0]!.mean);
});

test('preprocess with an unknown stage exits 1 naming it', () => {
  const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
  const { status, stderr } = runCli(['preprocess', 'samples/glioma-01.png', '--out', out, '--stages', 'denoise,blur']);
  assert.equal(status, 1);
  assert.match(stderr, /unknown stage 'blur'/);
});
