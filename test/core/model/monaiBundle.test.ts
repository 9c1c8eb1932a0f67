import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../../../src/core/model/loadModel';
import { runModel } from '../../../src/core/model/runModel';
import { prepareVolume } from '../../../src/core/preprocess/volume3d';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT } from '../../helpers/paths';
import { runCli } from '../../helpers/runCli';

/**
 * The seeded 3D classifier of scripts/reference/make_3d_reference.py shipped as a
 * MONAI bundle (models/model.onnx, configs/metadata.json, configs/inference.json)
 * with no manifest: its preprocessing written as MONAI transforms must give
 * PyTorch's logits for the oblique non-RAS volume, as the manifest does.
 */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d');
const VOLUME = join(FIXTURE, 'volume.nii.gz');
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { logits: number[] };
const work = mkdtempSync(join(tmpdir(), 'scanlens-monai-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

const METADATA = {
  version: '0.1.0',
  task: 'tumour classification',
  network_data_format: {
    inputs: { image: { type: 'image', format: 'magnitude', modality: 'MR', num_channels: 1, spatial_shape: [16, 24, 32], dtype: 'float32', value_range: [0, 1], is_patch_data: false } },
    outputs: { pred: { type: 'probabilities', format: 'classes', num_channels: 3, spatial_shape: [1, 3], dtype: 'float32', channel_def: { '0': 'glioma', '1': 'meningioma', '2': 'notumor' } } },
  },
};

const TRANSFORMS = [
  { _target_: 'LoadImaged', keys: 'image' },
  { _target_: 'EnsureChannelFirstd', keys: 'image' },
  { _target_: 'Orientationd', keys: 'image', axcodes: 'RAS' },
  { _target_: 'Spacingd', keys: 'image', pixdim: [1.5, 1.5, 1.5], mode: 'bilinear' },
  { _target_: 'ScaleIntensityRangePercentilesd', keys: 'image', lower: 1, upper: 99, b_min: 0, b_max: 1, clip: true },
  { _target_: 'NormalizeIntensityd', keys: 'image', subtrahend: 0.2, divisor: 0.5 },
  { _target_: 'ResizeWithPadOrCropd', keys: 'image', spatial_size: [16, 24, 32] },
  { _target_: 'EnsureTyped', keys: 'image' },
];

function bundle(name: string, metadata: unknown = METADATA, transforms: unknown[] = TRANSFORMS): string {
  const root = join(work, name);
  mkdirSync(join(root, 'models'), { recursive: true });
  mkdirSync(join(root, 'configs'), { recursive: true });
  copyFileSync(join(FIXTURE, 'model.onnx'), join(root, 'models', 'model.onnx'));
  writeFileSync(join(root, 'configs', 'metadata.json'), JSON.stringify(metadata));
  writeFileSync(join(root, 'configs', 'inference.json'), JSON.stringify({ image_key: 'image', preprocessing: { _target_: 'Compose', transforms } }));
  return root;
}

test("a MONAI bundle's model.onnx runs with no manifest: labels from channel_def, preprocessing from inference.json, PyTorch's logits within 1e-4", async () => {
  const root = bundle('classifier');
  const model = await loadModel(root, { threads: 1 });
  try {
    assert.equal(model.manifestPath, undefined);
    assert.deepEqual(model.manifest.labels, ['glioma', 'meningioma', 'notumor']);
    assert.deepEqual(model.manifest.input.spacing, [1.5, 1.5, 1.5]);
    assert.deepEqual(model.manifest.input.intensity, { mode: 'percentile', low: 1, high: 99 });
    assert.ok(model.assumptions.some((a) => /preprocessing read from classifier\/configs\/inference\.json/.test(a)));
    const [logits] = await runModel(model, [prepareVolume(await loadScan(VOLUME), model.manifest.input)]);
    reference.logits.forEach((expected, i) => assert.ok(Math.abs(logits![i]! - expected) <= 1e-4, `logit ${i}: ${logits![i]} vs PyTorch ${expected}`));
  } finally {
    await model.session.release();
  }
});

test('scanlens classify --model <bundle folder> names the classes as the bundle does and says what it did not apply', () => {
  const root = bundle('with-extra', METADATA, [...TRANSFORMS.slice(0, 6), { _target_: 'CropForegroundd', keys: 'image', source_key: 'image' }, ...TRANSFORMS.slice(6)]);
  const result = runCli(['classify', '--model', root, '--json', VOLUME]);
  assert.equal(result.status, 0, result.stderr);
  const row = (JSON.parse(result.stdout) as { results: { probabilities: number[]; top: { label: string } }[] }).results[0]!;
  const exp = reference.logits.map((l) => Math.exp(l - Math.max(...reference.logits)));
  const total = exp.reduce((a, b) => a + b, 0);
  row.probabilities.forEach((p, i) => assert.ok(Math.abs(p - exp[i]! / total) <= 1e-5, `class ${i}: ${p} vs ${exp[i]! / total}`));
  assert.equal(row.top.label, ['glioma', 'meningioma', 'notumor'][exp.indexOf(Math.max(...exp))]);
  assert.match(result.stderr + result.stdout, /CropForegroundd not applied/);
});

test('a bundle that ScanLens cannot feed is one line naming its config', async () => {
  const fourChannels = structuredClone(METADATA);
  Object.assign(fourChannels.network_data_format.inputs.image, { num_channels: 4, channel_def: { '0': 'T1', '1': 'T1c', '2': 'T2', '3': 'FLAIR' } });
  await assert.rejects(loadModel(bundle('four', fourChannels), { threads: 1 }), (error: Error) => {
    // The bundle's four sequences against a one-channel graph: the mismatch is named, not guessed around.
    assert.match(error.message, /has 1 channel\(s\) but the MONAI bundle names 4 \(t1, t1c, t2, flair\)/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  const lps = TRANSFORMS.map((t) => (t._target_ === 'Orientationd' ? { ...t, axcodes: 'LPS' } : t));
  await assert.rejects(loadModel(bundle('lps', METADATA, lps), { threads: 1 }), /lps\/configs\/inference\.json.*orients volumes to LPS; ScanLens feeds 3D models in RAS/);
  const wrongShape = structuredClone(METADATA);
  wrongShape.network_data_format.inputs.image.spatial_shape = [16, 24, 30];
  await assert.rejects(loadModel(join(bundle('shape', wrongShape, TRANSFORMS.slice(0, 6)), 'models', 'model.onnx'), { threads: 1 }), /input width is 32 but the MONAI bundle says 30/);
  const broken = bundle('broken');
  writeFileSync(join(broken, 'configs', 'metadata.json'), '{"network_data_format": {"inputs": 3}}');
  await assert.rejects(loadModel(broken, { threads: 1 }), /broken\/configs\/metadata\.json.*not a MONAI bundle config: network_data_format\.inputs/);
});
