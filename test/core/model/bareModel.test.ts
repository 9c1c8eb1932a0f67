import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { classifyFiles, type ClassifyRow } from '../../../src/core/classify/classify';
import { loadModel } from '../../../src/core/model/loadModel';
import { fixture } from '../../helpers/paths';

interface Reference {
  pixel_value: number;
  models: Record<string, { probabilities: number[] }>;
}
const reference = JSON.parse(readFileSync(fixture('models', 'tiny-reference.json'), 'utf8')) as Reference;
const tmp = mkdtempSync(join(tmpdir(), 'scanlens-bare-'));

async function constantPng(name: string, size: number): Promise<string> {
  const file = join(tmp, name);
  const pixels = new Uint8Array(size * size).fill(reference.pixel_value);
  writeFileSync(
    file,
    await sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
      .png()
      .toBuffer(),
  );
  return file;
}

async function collect(rows: AsyncIterable<ClassifyRow>): Promise<ClassifyRow[]> {
  const out: ClassifyRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

function assertClose(actual: readonly number[] | undefined, expected: readonly number[], tolerance = 1e-5): void {
  assert.ok(actual, 'probabilities present');
  assert.equal(actual.length, expected.length);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < tolerance, `class ${i}: ${v} vs ${expected[i]}`));
}

test('a bare .onnx takes channels, size and labels from the graph and says so', async () => {
  const model = await loadModel(fixture('models', 'tiny-labels.onnx'), { threads: 1 });
  assert.deepEqual(model.manifest.labels, ['cat', 'dog', 'bird']);
  assert.deepEqual(model.manifest.input.size, { width: 8, height: 8 });
  assert.equal(model.manifest.input.channels, 1);
  assert.equal(model.batchable, true);
  const said = model.assumptions.join('\n');
  assert.match(said, /NCHW, 1 channel\(s\), 8×8 from the graph/);
  assert.match(said, /scaled to \[0,1\].*no mean\/std/);
  assert.match(said, /labels read from the model's metadata_props/);
});

test('a bare model classifies to the probabilities numpy computes, at native size and after resize', async () => {
  const model = await loadModel(fixture('models', 'tiny-labels.onnx'), { threads: 1 });
  const files = [await constantPng('native.png', 8), await constantPng('larger.png', 32)];
  const rows = await collect(classifyFiles(model, files));
  for (const row of rows) {
    assertClose(row.probabilities, reference.models['tiny-labels']!.probabilities);
    assert.equal(row.top?.label, 'dog');
    assert.ok(row.notes?.some((n) => n.includes('softmax applied')));
  }
});

test('a fixed-batch NHWC model without labels runs one by one, names classes class_N, and is not softmaxed twice', async () => {
  const model = await loadModel(fixture('models', 'tiny-fixed-nhwc.onnx'), { threads: 1 });
  assert.equal(model.batchable, false);
  assert.equal(model.manifest.input.layout, 'NHWC');
  assert.equal(model.manifest.input.channels, 3);
  assert.deepEqual(model.manifest.labels, ['class_0', 'class_1', 'class_2']);
  assert.match(model.assumptions.join('\n'), /classes named class_0…class_2/);
  const files = await Promise.all([1, 2, 3].map((i) => constantPng(`grey-${i}.png`, 8)));
  const rows = await collect(classifyFiles(model, files, { batchSize: 3 }));
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assertClose(row.probabilities, reference.models['tiny-fixed-nhwc']!.probabilities);
    assert.ok(row.notes?.some((n) => n.includes('already sums to 1')));
  }
});

test('a file that is not a model gives a one-line error naming it', async () => {
  const file = join(tmp, 'fake.onnx');
  writeFileSync(file, 'not a model at all');
  await assert.rejects(loadModel(file), (error: Error) => {
    assert.match(error.message, /fake\.onnx: onnxruntime cannot load the model/);
    assert.ok(!error.message.includes('\n'));
    return true;
  });
});
