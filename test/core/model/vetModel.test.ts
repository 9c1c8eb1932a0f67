import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel } from '../../../src/core/model/loadModel';
import { decodeModel, encodeModel } from '../../../src/core/onnx/modelProto';
import { DEFAULT_VET_LIMITS, vetModel } from '../../../src/core/model/vetModel';
import { fixture } from '../../helpers/paths';

const hostile = (name: string): string => fixture('hostile', name);

/** Asserts a one-line refusal naming the file and matching `reason`. */
function refusedWith(file: string, reason: RegExp): (error: Error) => boolean {
  return (error: Error) => {
    assert.equal(error.name, 'ScanLensError');
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    assert.match(error.message, reason);
    assert.ok(!error.message.includes('\n'));
    return true;
  };
}

const REFUSED: [string, RegExp][] = [
  ['external-absolute.onnx', /initializer 'weight' keeps its data at '\/etc\/passwd', outside the model's folder/],
  ['external-parent.onnx', /keeps its data at '\.\.\/\.\.\/secret\.bin', outside the model's folder/],
  ['external-inside/model.onnx', /keeps its data in a separate file \('weights\.bin'\), which the model's sha256 does not cover/],
  ['custom-domain.onnx', /custom operator com\.evil:Backdoor/],
  ['custom-domain-nested.onnx', /custom operator com\.evil:Backdoor/],
  ['huge-initializer.onnx', /initializer 'huge' declares 1099511627776 elements, over the limit/],
  ['huge-input.onnx', /graph input\/output 'input' declares 1000000000000 elements, over the limit/],
  ['negative-dim.onnx', /initializer 'negative' has an invalid dimension \(-4\)/],
];

for (const [name, reason] of REFUSED) {
  test(`loadModel refuses ${name} before onnxruntime sees it`, async () => {
    const file = hostile(name);
    assert.throws(() => vetModel(readFileSync(file), file), refusedWith(file, reason));
    await assert.rejects(loadModel(file), refusedWith(file, reason));
  });
}

test('the benign control and a model-local function pass and load', async () => {
  for (const name of ['benign.onnx', 'local-function.onnx']) {
    const file = hostile(name);
    assert.doesNotThrow(() => vetModel(readFileSync(file), file));
    const model = await loadModel(file, { threads: 1 });
    assert.deepEqual(model.session.inputNames, ['input']);
  }
});

test('every model the project ships or tests with passes the default limits', () => {
  for (const file of [fixture('models', 'tiny-labels.onnx'), fixture('explain', 'resnet.onnx'), fixture('explain', 'vit.onnx'), fixture('explain', 'mobilenetv3.onnx')]) {
    assert.doesNotThrow(() => vetModel(readFileSync(file), file));
  }
});

test('node count, constant bytes and nesting limits each refuse by name', () => {
  const resnet = fixture('explain', 'resnet.onnx');
  const bytes = readFileSync(resnet);
  assert.throws(() => vetModel(bytes, resnet, { ...DEFAULT_VET_LIMITS, maxNodes: 3 }), refusedWith(resnet, /graph has more than 3 nodes/));
  assert.throws(() => vetModel(bytes, resnet, { ...DEFAULT_VET_LIMITS, maxInitializerBytes: 1024 }), refusedWith(resnet, /constant tensors declare more than 1024 bytes in all/));
  const nested = hostile('custom-domain-nested.onnx');
  assert.throws(() => vetModel(readFileSync(nested), nested, { ...DEFAULT_VET_LIMITS, maxGraphDepth: 0 }), refusedWith(nested, /subgraphs are nested more than 0 deep/));
});

test('a manifest refuses a swapped model: a hostile one, and a well-formed one whose sha256 differs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-hostile-'));
  const benignSha = createHash('sha256')
    .update(readFileSync(hostile('benign.onnx')))
    .digest('hex');
  const manifest = { schema: 'scanlens.model/1', name: 'swapped', version: '1', file: 'model.onnx', sha256: benignSha, input: { channels: 1, size: { width: 8, height: 8 } }, labels: ['a', 'b'] };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  const onnx = join(dir, 'model.onnx');
  copyFileSync(hostile('custom-domain.onnx'), onnx);
  await assert.rejects(loadModel(join(dir, 'model.json')), refusedWith(onnx, /custom operator com\.evil:Backdoor/));
  copyFileSync(hostile('local-function.onnx'), onnx);
  await assert.rejects(loadModel(join(dir, 'model.json')), refusedWith(onnx, /sha256 is [0-9a-f]{64}, but model\.json says [0-9a-f]{64}/));
  copyFileSync(hostile('benign.onnx'), onnx);
  const model = await loadModel(join(dir, 'model.json'), { threads: 1 });
  assert.equal(model.sha256, benignSha);
});

test('a sparse initializer is vetted by its dense shape, which onnxruntime allocates at load', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'scanlens-sparse-')), 'sparse.onnx');
  const model = decodeModel(readFileSync(hostile('benign.onnx')));
  const sparse = (dims: number[]) => ({
    values: { name: 'sparse', dims: [1], dataType: 1, floatData: [1] },
    indices: { name: 'sparse_indices', dims: [1], dataType: 7, int64Data: [0] },
    dims,
  });
  // One stored value, a 65536² float dense shape: 16 GiB once made dense.
  writeFileSync(file, encodeModel({ ...model, graph: { ...model.graph, sparseInitializer: [sparse([65536, 65536])] } as typeof model.graph }));
  assert.throws(() => vetModel(readFileSync(file), file), refusedWith(file, /sparse initializer 'sparse' \(dense shape\) declares 4294967296 elements, over the limit of 1073741824/));
  // Under the element limit but over the byte limit, counted with the other constants.
  writeFileSync(file, encodeModel({ ...model, graph: { ...model.graph, sparseInitializer: [sparse([16384, 16384])] } as typeof model.graph }));
  assert.throws(() => vetModel(readFileSync(file), file, { ...DEFAULT_VET_LIMITS, maxInitializerBytes: 1 << 20 }), refusedWith(file, /constant tensors declare more than 1048576 bytes in all/));
  // A small dense shape passes.
  writeFileSync(file, encodeModel({ ...model, graph: { ...model.graph, sparseInitializer: [sparse([4, 4])] } as typeof model.graph }));
  assert.doesNotThrow(() => vetModel(readFileSync(file), file));
});
