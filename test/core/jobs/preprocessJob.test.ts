import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { preprocessJob } from '../../../src/core/jobs/preprocessJob';
import type { LoadedModel } from '../../../src/core/model/loadModel';
import { ManifestSchema } from '../../../src/core/model/manifest';
import { CLASSIC_PIPELINE } from '../../../src/core/preprocess/classicPipeline';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { resliceScan } from '../../../src/core/scan/reslice';
import { fixture, ROOT } from '../../helpers/paths';

const DEMO = JSON.parse(readFileSync(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), 'utf8')) as Record<string, unknown> & { input: Record<string, unknown> };
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');
const JHU = '/usr/share/mricron/templates/jhu189.nii.gz';
const VOLUME = existsSync(JHU) ? JHU : fixture('nifti', 'ras-grid.nii');

/** preprocess only reads the manifest: a model made of one, as loadModel would parse it. */
const withManifest = (changes: Record<string, unknown>, input: Record<string, unknown> = {}): LoadedModel =>
  ({ manifest: ManifestSchema.parse({ ...DEMO, ...changes, input: { ...DEMO.input, ...input } }) }) as unknown as LoadedModel;

const demo = withManifest({});
const staged = withManifest({ preprocessing: ['denoise', { stage: 'normalize', params: { low: 2 } }] });
// RGB, channels last, letterboxed, per-channel mean/std, a stage: every branch of the input's layout.
const rgbStaged = withManifest({ preprocessing: ['clahe'] }, { channels: 3, layout: 'NHWC', fit: 'contain', size: { width: 96, height: 80 }, mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] });

test("with a model: exactly the model's stages, possibly none, ending with its input", async () => {
  const none = await preprocessJob(demo, SAMPLE);
  assert.equal(none.pipeline, 'model');
  assert.deepEqual(
    none.steps.map((s) => s.name),
    ['input', 'model-input'],
  );
  assert.deepEqual(none.slice, { axis: null, index: 0, count: 1 });
  const two = await preprocessJob(staged, SAMPLE);
  assert.deepEqual(
    two.steps.map((s) => s.name),
    ['input', 'denoise', 'normalize', 'model-input'],
  );
  assert.equal(two.steps[2]!.params!['low'], 2);
});

test('the model input is, value for value, the tensor classify feeds the model: an image, and slice k of a volume along each axis', async () => {
  for (const model of [demo, staged, rgbStaged]) {
    const image = await preprocessJob(model, SAMPLE);
    const fed = await prepareInput(await loadScan(SAMPLE), model.manifest, 0);
    assert.deepEqual(image.modelInput!.data, fed.data);
    const { channels, size } = model.manifest.input;
    assert.equal(image.modelInput!.data.length, channels * size.width * size.height);
    assert.deepEqual(image.modelInput!.dims, model.manifest.input.layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels]);
  }
  const scan = await loadScan(VOLUME);
  for (const axis of ['axial', 'coronal', 'sagittal'] as const) {
    // classifyVolume's own path: the whole volume re-cut, then slice k prepared.
    const cut = resliceScan(scan, axis);
    const k = Math.floor(cut.shape[0] / 3);
    for (const model of [demo, staged]) {
      const job = await preprocessJob(model, VOLUME, { axis, slice: k });
      assert.deepEqual(job.slice, { axis, index: k, count: cut.shape[0] });
      assert.deepEqual(job.modelInput!.data, (await prepareInput(cut, model.manifest, k)).data, `${axis} slice ${k}`);
    }
  }
});

test('a volume without a slice: the middle one of the axial plane', async () => {
  const job = await preprocessJob(demo, VOLUME);
  const depth = resliceScan(await loadScan(VOLUME), 'axial').shape[0];
  assert.deepEqual(job.slice, { axis: 'axial', index: Math.floor(depth / 2), count: depth });
});

test('stages asked for, or no model: a gallery on the grey slice with no model input', async () => {
  const gallery = await preprocessJob(demo, SAMPLE, { stages: ['denoise', 'skullstrip'] });
  assert.equal(gallery.pipeline, 'stages');
  assert.equal(gallery.modelInput, undefined);
  assert.deepEqual(
    gallery.steps.map((s) => s.name),
    ['input', 'denoise', 'skullstrip'],
  );
  const classic = await preprocessJob(undefined, SAMPLE);
  assert.deepEqual(
    classic.steps.map((s) => s.name),
    ['input', ...CLASSIC_PIPELINE],
  );
  assert.ok(classic.steps.every((s) => s.image.channels === 1));
});
