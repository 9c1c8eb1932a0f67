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

test("preprocess shows the model's own pipeline: the demo model runs no stage, so its input is the slice itself", async () => {
  const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
  const { status, stdout, stderr } = runCli(['preprocess', 'samples/glioma-01.png', '--out', out, '--json']);
  assert.equal(status, 0, stderr);
  const doc = JSON.parse(stdout) as { pipeline: string; slice: object; stages: { stage: string }[]; modelInput: { dims: number[] } };
  assert.equal(doc.pipeline, 'model');
  assert.deepEqual(doc.slice, { axis: null, index: 0, count: 1 });
  assert.deepEqual(doc.modelInput.dims, [1, 1, 128, 128]);
  assert.deepEqual(readdirSync(out).sort(), ['00-input.png', '01-model-input.png']);
  // A 128² sample at the demo model's 128² size, with no stage: not skull-stripped, the sample's own pixels made grey (BT.601 luma).
  const rgb = await sharp('samples/glioma-01.png').removeAlpha().raw().toBuffer();
  const modelInput = await sharp(join(out, '01-model-input.png')).extractChannel(0).raw().toBuffer();
  assert.equal(modelInput.length, 128 * 128);
  for (let i = 0; i < modelInput.length; i++) {
    const luma = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
    assert.ok(Math.abs(modelInput[i]! - luma) <= 1, `pixel ${i}: ${modelInput[i]} vs ${luma}`);
  }
});

test('preprocess --stages (bare: the classic six) and --no-model write the stage gallery, without a model input', async () => {
  for (const flags of [['--stages'], ['--no-model'], ['--stages', 'classic']]) {
    const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
    const { status, stdout, stderr } = runCli(['preprocess', 'samples/glioma-01.png', '--out', out, ...flags, '--json']);
    assert.equal(status, 0, stderr);
    assert.equal((JSON.parse(stdout) as { pipeline: string }).pipeline, 'stages');
    assert.deepEqual(readdirSync(out).sort(), ['00-input.png', '01-denoise.png', '02-clahe.png', '03-sharpen.png', '04-edges.png', '05-normalize.png', '06-skullstrip.png']);
    const input = await sharp(join(out, '00-input.png')).stats();
    const stripped = await sharp(join(out, '06-skullstrip.png')).stats();
    // Skull stripping zeroes the background and skull: more dark pixels than the input.
    assert.ok(stripped.channels[0]!.mean < input.channels[0]!.mean);
  }
});

test('preprocess of a volume names the slice it shows', () => {
  const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
  const { status, stdout, stderr } = runCli(['preprocess', fixture('nifti', 'ras-grid.nii'), '--out', out, '--axis', 'sagittal', '--slice', '2']);
  assert.equal(status, 0, stderr);
  assert.match(stdout.split('\n')[0]!, /ras-grid\.nii {2}sagittal slice 2 of 6 {2}the pipeline of brain-mri-demo: input → model-input$/);
});

test('preprocess with an unknown stage exits 1 naming it', () => {
  const out = mkdtempSync(join(tmpdir(), 'scanlens-stages-'));
  const { status, stderr } = runCli(['preprocess', 'samples/glioma-01.png', '--out', out, '--stages', 'denoise,blur']);
  assert.equal(status, 1);
  assert.match(stderr, /unknown stage 'blur'/);
});
