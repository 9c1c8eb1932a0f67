import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { classifyInputs } from '../../../src/core/jobs/classifyInputs';
import { classifyJob, type ClassifyResult } from '../../../src/core/jobs/classifyJob';
import { explainJob } from '../../../src/core/jobs/explainJob';
import { fitAnomalyDetector } from '../../../src/core/jobs/anomalyJob';
import { preprocessJob } from '../../../src/core/jobs/preprocessJob';
import { trainJob } from '../../../src/core/jobs/trainJob';
import { classifyVolume } from '../../../src/core/classify/classifyVolume';
import { loadModel, type LoadedModel } from '../../../src/core/model/loadModel';
import { runModel } from '../../../src/core/model/runModel';
import { prepareVolume } from '../../../src/core/preprocess/volume3d';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { classifySlice, sliceProfile } from '../../../src/host/viewer/viewerInference';
import { ROOT } from '../../helpers/paths';

/** A seeded 3D ResNet-shaped export, a volume stored oblique and non-RAS, and PyTorch's logits for it (scripts/reference/make_3d_reference.py). */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d');
const VOLUME = join(FIXTURE, 'volume.nii.gz');
const IMAGE = join(ROOT, 'samples', 'glioma-01.png');
const reference = JSON.parse(readFileSync(join(FIXTURE, 'reference.json'), 'utf8')) as { logits: number[] };
const work = mkdtempSync(join(tmpdir(), 'scanlens-volume-model-'));
after(() => rmSync(work, { recursive: true, force: true }));
let model: LoadedModel;

before(async () => {
  model = await loadModel(join(FIXTURE, 'model.json'), { threads: 1 });
});
after(() => model.session.release());

test("a 3D model's logits for a volume (reoriented to RAS, resampled, percentile, mean/std, crop and pad) are PyTorch's within 1e-4", async () => {
  const [logits] = await runModel(model, [prepareVolume(await loadScan(VOLUME), model.manifest.input)]);
  assert.equal(logits!.length, reference.logits.length);
  reference.logits.forEach((expected, i) => assert.ok(Math.abs(logits![i]! - expected) <= 1e-4, `logit ${i}: ${logits![i]} vs PyTorch ${expected}`));
});

test('classify gives a volume one row from a 3D model, and a 2D image an error row saying why', async () => {
  const rows: ClassifyResult[] = [];
  for await (const row of classifyJob(model, await classifyInputs([IMAGE, VOLUME], DEFAULT_LIMITS), { topK: 2 })) rows.push(row);
  assert.equal(rows.length, 2);
  const [image, volume] = rows as [ClassifyResult, ClassifyResult];
  assert.equal(image.kind, 'image');
  assert.match('error' in image ? String(image.error) : '', /a 3D model \(NCDHW\) takes volumes .*this is a 2D image/);
  assert.equal(volume.kind, 'volume');
  assert.ok(!('peaks' in volume) && 'probabilities' in volume && volume.probabilities, 'one set of probabilities, no slice profile');
  const exp = reference.logits.map(Math.exp);
  const softmax = exp.map((e) => e / exp.reduce((a, b) => a + b, 0));
  volume.probabilities.forEach((p, i) => assert.ok(Math.abs(p - softmax[i]!) < 1e-5, `p ${i}`));
  assert.equal(volume.top?.label, model.manifest.labels[softmax.indexOf(Math.max(...softmax))]);
  assert.equal(volume.topK?.length, 2);
});

test('a DICOM series is one series row from a 3D model; an RGB multi-frame DICOM is an error row naming its channels', async () => {
  const folder = join(ROOT, 'test', 'fixtures', 'dicom', 'series');
  const files = ['slice-2.dcm', 'slice-0.dcm', 'slice-1.dcm'].map((f) => join(folder, f));
  const inputs = await classifyInputs([...files, join(ROOT, 'test', 'fixtures', 'dicom', 'rgb-planar-2frame.dcm')], DEFAULT_LIMITS);
  const rows: ClassifyResult[] = [];
  for await (const row of classifyJob(model, inputs)) rows.push(row);
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['series', 'volume'],
  );
  const [series, rgb] = rows as [ClassifyResult, ClassifyResult];
  assert.ok('probabilities' in series && series.probabilities?.length === 3 && !('peaks' in series), JSON.stringify(series));
  assert.equal('files' in series ? series.files?.length : 0, 3);
  assert.match('error' in rgb ? String(rgb.error) : '', /rgb-planar-2frame\.dcm: a 3D model takes one channel; this scan has 3/);
});

test('every 2D-only verb refuses a 3D model up front in one line', async () => {
  const scan = await loadScan(VOLUME);
  const refusal = (verb: string): RegExp => new RegExp(`a 3D model \\(NCDHW\\): ${verb} takes 2D models; classify it as a volume`);
  await assert.rejects(explainJob(model, VOLUME, { method: 'gradcam' }), refusal('explain'));
  await assert.rejects(preprocessJob(model, VOLUME), refusal('preprocess'));
  await assert.rejects(trainJob(model, { labelled: join(ROOT, 'samples'), out: join(work, 'trained') }), refusal('train'));
  await assert.rejects(fitAnomalyDetector([IMAGE], { method: 'padim', backbone: model, seed: 0, percentile: 95 }), refusal('anomaly fit'));
  await assert.rejects(classifyVolume(model, scan, 'axial'), refusal('slice-by-slice classification'));
  await assert.rejects(classifySlice(model, scan, 0), refusal('the viewer'));
  await assert.rejects(
    sliceProfile(model, scan, 'axial', () => undefined),
    refusal('the viewer'),
  );
});

test('a bare 5-D ONNX takes its size from the graph; a manifest whose depth the graph contradicts is refused by field', async () => {
  const bare = await loadModel(join(FIXTURE, 'model.onnx'), { threads: 1 });
  try {
    assert.equal(bare.manifest.input.layout, 'NCDHW');
    assert.deepEqual(bare.manifest.input.size, { width: 32, height: 24, depth: 16 });
    assert.ok(bare.assumptions.some((a) => a.includes('NCDHW')));
  } finally {
    await bare.session.release();
  }
  copyFileSync(join(FIXTURE, 'model.onnx'), join(work, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(FIXTURE, 'model.json'), 'utf8')) as { input: { size: { depth: number } } };
  manifest.input.size.depth = 20;
  writeFileSync(join(work, 'model.json'), JSON.stringify(manifest));
  await assert.rejects(loadModel(join(work, 'model.json'), { threads: 1 }), /field 'input\.size' says 20×24×32 \(depth×height×width\), but the graph's input 'volume' is 16×24×32/);
  // The same graph described as a 2D model is a layout mistake, and the line says what a 5-D input is.
  const { depth: _, ...flat } = { ...manifest.input.size, width: 32, height: 24 };
  writeFileSync(join(work, 'model.json'), JSON.stringify({ ...manifest, input: { ...manifest.input, layout: 'NCHW', size: flat, spacing: undefined } }));
  await assert.rejects(
    loadModel(join(work, 'model.json'), { threads: 1 }),
    /field 'input\.layout' says NCHW, but the graph's input 'volume' has 5 dimensions .*a 3D model's 5 \(layout NCDHW, with size\.depth\)/,
  );
});
