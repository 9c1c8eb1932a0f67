import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedDerived, derivedKey } from '../../../src/core/onnx/derivedCache';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { decodeModel, defaultOpset, encodeModel } from '../../../src/core/onnx/modelProto';
import { probeTensors } from '../../../src/core/onnx/probeShapes';
import { ort } from '../../../src/core/native/ort';
import { fixture } from '../../helpers/paths';

test('an exported model decodes and re-encodes to the same bytes', () => {
  const bytes = readFileSync(fixture('explain', 'resnet.onnx'));
  const model = decodeModel(bytes);
  assert.equal(defaultOpset(model), 17);
  assert.ok(model.graph.node.some((n) => n.opType === 'Conv'));
  assert.deepEqual(Buffer.from(encodeModel(model)), bytes);
});

test('garbage is reported as not an ONNX model, naming the file', () => {
  assert.throws(() => decodeModel(Buffer.from('not a model at all'), 'x.onnx'), /^ScanLensError: x\.onnx: not a readable ONNX model/);
});

test('an inner tensor can be exposed and its runtime shape read', async () => {
  const bytes = readFileSync(fixture('explain', 'resnet.onnx'));
  const feeds = { input: new (ort().Tensor)('float32', new Float32Array(3 * 64 * 64), [1, 3, 64, 64]) };
  const probed = await probeTensors(bytes, ['/layer2/relu_1/Relu_output_0'], feeds, 'resnet.onnx');
  assert.deepEqual(probed.get('/layer2/relu_1/Relu_output_0')!.dims, [1, 16, 8, 8]);
});

test('derived models are cached by key and the builder refuses reserved names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-derived-'));
  const key = derivedKey('abc', { target: 't' });
  assert.notEqual(key, derivedKey('abc', { target: 'u' }));
  let builds = 0;
  const first = await cachedDerived(dir, key, () => (builds++, Uint8Array.from([1, 2, 3])));
  const second = await cachedDerived(dir, key, () => (builds++, Uint8Array.from([9])));
  assert.deepEqual([first.hit, second.hit, builds], [false, true, 1]);
  assert.deepEqual(Array.from(second.bytes), [1, 2, 3]);
  const model = decodeModel(readFileSync(fixture('explain', 'resnet.onnx')));
  const builder = new GraphBuilder(model.graph);
  builder.op('Relu', ['input']);
  assert.throws(() => new GraphBuilder(model.graph), /already uses tensor names starting with 'scanlens\/'/);
});
