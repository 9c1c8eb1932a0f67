import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { loadModel } from '../../../src/core/model/loadModel';
import { readManifest } from '../../../src/core/model/manifestLoader';
import { getModel, releaseModels } from '../../../src/core/model/modelCache';
import { fixture } from '../../helpers/paths';

const onnx = fixture('models', 'tiny-labels.onnx');
const sha = createHash('sha256').update(readFileSync(onnx)).digest('hex');

function validManifest(): Record<string, unknown> {
  return {
    schema: 'scanlens.model/1',
    name: 'tiny',
    version: '1',
    file: 'model.onnx',
    sha256: sha,
    input: { channels: 1, size: { width: 8, height: 8 } },
    labels: ['cat', 'dog', 'bird'],
  };
}

function modelFolder(manifest: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-manifest-'));
  copyFileSync(onnx, join(dir, 'model.onnx'));
  writeFileSync(join(dir, 'model.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}

test('a valid manifest gets its defaults filled in', async () => {
  const manifest = await readManifest(join(modelFolder(validManifest()), 'model.json'));
  assert.equal(manifest.task, 'classification');
  assert.equal(manifest.input.layout, 'NCHW');
  assert.equal(manifest.input.resize, 'linear');
  assert.deepEqual(manifest.input.intensity, { mode: 'range' });
  assert.deepEqual(manifest.output, { type: 'logits' });
});

const broken: [string, (m: Record<string, unknown>) => void, RegExp][] = [
  ['a wrong type names the field', (m) => ((m.input as Record<string, unknown>).size = { width: '8', height: 8 }), /model\.json: invalid manifest: input\.size\.width: .*number/],
  ['a missing field is named', (m) => delete m.labels, /labels: .*(required|array)/i],
  ['a misspelt key is refused, not ignored', (m) => (m.lables = ['x']), /Unrecognized key.*lables/],
  ['a bad sha256 format is named', (m) => (m.sha256 = 'abc'), /sha256: must be 64 lowercase hex digits/],
  ['mean with the wrong length is named', (m) => ((m.input as Record<string, unknown>).mean = [0.1, 0.2]), /input\.mean: needs 1 value, got 2/],
  ['an unknown stage is named', (m) => (m.preprocessing = ['blur']), /preprocessing\.0/],
  [
    'an input over the size limit is named (8192×8192×3 would be 805 MB per tensor)',
    (m) => (m.input = { channels: 3, size: { width: 8192, height: 8192 } }),
    /^[^\n]*model\.json: invalid manifest: input\.size: 8192×8192×3 is 201326592 values per input, over the limit of 50331648 \(4096×4096×3\)$/,
  ],
];

for (const [name, mutate, pattern] of broken) {
  test(`manifest errors: ${name}`, async () => {
    const manifest = validManifest();
    mutate(manifest);
    await assert.rejects(readManifest(join(modelFolder(manifest), 'model.json')), pattern);
  });
}

test('manifest errors: invalid JSON names the file', async () => {
  await assert.rejects(readManifest(join(modelFolder('{ "schema": '), 'model.json')), /model\.json: model\.json is not valid JSON/);
});

test('a model file that does not match the manifest sha256 is refused', async () => {
  const manifest = { ...validManifest(), sha256: 'f'.repeat(64) };
  await assert.rejects(loadModel(join(modelFolder(manifest), 'model.json')), /model\.onnx: sha256 is [0-9a-f]{64}, but model\.json says f{64}/);
});

test('a manifest whose file points outside its folder is refused', async () => {
  const manifest = { ...validManifest(), file: '../elsewhere/model.onnx' };
  await assert.rejects(loadModel(join(modelFolder(manifest), 'model.json')), /field 'file' points outside the folder of model\.json/);
});

test('a manifest naming an input the graph lacks says which inputs exist', async () => {
  const manifest = validManifest();
  (manifest.input as Record<string, unknown>).name = 'image';
  await assert.rejects(loadModel(join(modelFolder(manifest), 'model.json')), /model\.json: field 'input\.name' says 'image', but the graph's inputs are: input$/);
});

test('a folder with model.json loads through the manifest', async () => {
  const model = await loadModel(modelFolder(validManifest()), { threads: 1 });
  assert.equal(model.manifest.name, 'tiny');
  assert.equal(model.sha256, sha);
  assert.deepEqual(model.assumptions, []);
  assert.equal(model.batchable, true);
});

test('the model cache shares one session per file and reloads a changed file', async () => {
  const dir = modelFolder(validManifest());
  const a = await getModel(join(dir, 'model.json'), { threads: 1 });
  const b = await getModel(join(dir, 'model.json'), { threads: 1 });
  assert.equal(a.session, b.session);
  const manifest = { ...validManifest(), name: 'renamed' };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 4));
  const c = await getModel(join(dir, 'model.json'), { threads: 1 });
  assert.equal(c.manifest.name, 'renamed');
  await releaseModels();
});
