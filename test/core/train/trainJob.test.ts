import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { featureSession } from '../../../src/core/anomaly/features/featureSession';
import { prepareSlice } from '../../../src/core/anomaly/prepareSlice';
import { classifyFiles } from '../../../src/core/classify/classify';
import { trainJob } from '../../../src/core/jobs/trainJob';
import { loadModel } from '../../../src/core/model/loadModel';
import { ort } from '../../../src/core/native/ort';
import { decodeModel, encodeModel } from '../../../src/core/onnx/modelProto';
import { floatTensor, tensorDims, tensorValues } from '../../../src/core/onnx/tensorData';
import { findHead, spliceHead } from '../../../src/core/train/headGraph';
import { writeLabelledVariants } from '../../helpers/labelledVariants';
import { ROOT, fixture } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-train-'));
const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'];

/** The twelve samples in one folder per class, with a broken scan among the gliomas. */
function labelledFolder(name: string): string {
  const folder = join(tmp, name);
  for (const label of CLASSES) {
    mkdirSync(join(folder, label), { recursive: true });
    for (const file of readdirSync(join(ROOT, 'samples')).filter((f) => f.startsWith(`${label}-`))) copyFileSync(join(ROOT, 'samples', file), join(folder, label, file));
  }
  writeFileSync(join(folder, 'glioma', 'broken.png'), 'not a png');
  return folder;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => assert.fail('accepted'),
    (error: Error) => error.message,
  );
}

test('a linear probe on the demo backbone: a new model whose logits are the fitted head on the embedding, a broken scan an error row, and the same bytes from the same data and seed', async () => {
  const folder = labelledFolder('four-classes');
  const backbone = await loadModel(DEMO);
  const first = await trainJob(backbone, { labelled: folder, out: join(tmp, 'probe-a') });
  assert.deepEqual(first.labels, CLASSES);
  assert.equal(first.embedding, '/flatten/Flatten_output_0');
  assert.equal(first.errors.length, 1);
  assert.match(first.errors[0]!.error, /glioma\/broken\.png: /);
  assert.equal(first.train.images + first.validation.images, 12);
  for (const name of ['model.onnx', 'model.json', 'MODEL_CARD.md', 'training-log.json']) assert.ok(readdirSync(join(tmp, 'probe-a')).includes(name), name);

  // The spliced model computes the fitted head: its probabilities are softmax(W·e + b) of the backbone's embedding.
  const probe = await loadModel(first.manifestPath);
  const session = await featureSession(backbone, [first.embedding]);
  const scan = join(folder, 'meningioma', 'meningioma-02.png');
  const input = await prepareSlice(scan, backbone.manifest);
  const embedding = (await session.run({ [backbone.inputName]: new (ort().Tensor)('float32', input.data, [1, 1, 128, 128]) }, [first.embedding]))[first.embedding]!.data as Float32Array;
  const { head } = first;
  const logits = CLASSES.map((_, c) => head.bias[c]! + embedding.reduce((sum, e, j) => sum + head.weights[c * head.dimensions + j]! * e, 0));
  const max = Math.max(...logits);
  const expected = logits.map((z) => Math.exp(z - max) / logits.reduce((s, v) => s + Math.exp(v - max), 0));
  const rows = [];
  for await (const row of classifyFiles(probe, [scan])) rows.push(row);
  const [row] = rows;
  assert.ok(row && 'probabilities' in row && row.probabilities);
  row.probabilities.forEach((p, c) => assert.ok(Math.abs(p - expected[c]!) < 1e-5, `class ${c}: ${p} vs ${expected[c]}`));

  const second = await trainJob(backbone, { labelled: folder, out: join(tmp, 'probe-b') });
  for (const name of ['model.onnx', 'model.json', 'MODEL_CARD.md', 'training-log.json']) {
    assert.ok(readFileSync(join(tmp, 'probe-a', name)).equals(readFileSync(join(tmp, 'probe-b', name))), `${name} differs between two runs`);
  }
  assert.equal(second.strength.strength, first.strength.strength);
});

test('bad training input: one clear line each', async () => {
  const backbone = await loadModel(DEMO);
  const lonely = join(tmp, 'lonely');
  mkdirSync(join(lonely, 'glioma'), { recursive: true });
  mkdirSync(join(lonely, 'notumor'), { recursive: true });
  copyFileSync(join(ROOT, 'samples', 'glioma-01.png'), join(lonely, 'glioma', 'a.png'));
  copyFileSync(join(ROOT, 'samples', 'glioma-02.png'), join(lonely, 'glioma', 'b.png'));
  copyFileSync(join(ROOT, 'samples', 'notumor-01.png'), join(lonely, 'notumor', 'a.png'));
  assert.equal(await refusal(trainJob(backbone, { labelled: lonely, out: join(tmp, 'x') })), `${lonely}: class 'notumor' has 1 scan; each class needs at least 2`);

  const labels = join(tmp, 'csv', 'labels.csv');
  mkdirSync(join(tmp, 'csv'));
  writeFileSync(labels, `file,label\n../lonely/glioma/a.png,glioma\n../lonely/glioma/b.png,glioma\n`);
  assert.match(
    await refusal(trainJob(backbone, { labelled: labels, out: join(tmp, 'x') })),
    /labels\.csv: names .*lonely\/glioma\/a\.png, outside its folder; a label file may name only scans beside it or below it$/,
  );

  // A model whose output is not made by a linear layer: the tiny fixture with its Gemm removed.
  const proto = decodeModel(readFileSync(fixture('models', 'tiny-labels.onnx')));
  const gemm = proto.graph.node.pop()!;
  proto.graph.output[0] = { ...proto.graph.output[0]!, name: gemm.input[0]! };
  assert.throws(() => findHead(proto.graph, 'headless.onnx'), /headless\.onnx: cannot find the backbone's embedding: its output is not made by a Gemm or MatMul \(it ends in Flatten\)/);
});

test('the head is found behind a Softmax, and through a MatMul and its bias Add; a spliced MatMul head keeps its Add', () => {
  const wrapped = decodeModel(readFileSync(fixture('models', 'tiny-fixed-nhwc.onnx')));
  const behindSoftmax = findHead(wrapped.graph, 'tiny-fixed-nhwc.onnx');
  assert.equal(behindSoftmax.node.opType, 'Gemm');
  assert.ok(behindSoftmax.bias);

  // The same head written as MatMul(x, Wᵀ) + b, as some exporters do.
  const proto = decodeModel(readFileSync(fixture('models', 'tiny-labels.onnx')));
  const gemm = proto.graph.node.pop()!;
  const weight = proto.graph.initializer.find((t) => t.name === gemm.input[1])!;
  const [classes, dimensions] = tensorDims(weight) as [number, number];
  const values = tensorValues(weight);
  const transposed = Float32Array.from({ length: classes * dimensions }, (_, k) => values[(k % classes) * dimensions + Math.floor(k / classes)]!);
  proto.graph.initializer.push(floatTensor('w.t', transposed, [dimensions, classes]));
  proto.graph.node.push(
    { opType: 'MatMul', name: 'head', input: [gemm.input[0]!, 'w.t'], output: ['product'], attribute: [] },
    { opType: 'Add', name: 'head.bias', input: ['product', gemm.input[2]!], output: [gemm.output[0]!], attribute: [] },
  );
  const head = findHead(proto.graph, 'matmul.onnx');
  assert.deepEqual([head.node.opType, head.transposed, head.bias, head.classes, head.dimensions], ['MatMul', false, gemm.input[2], classes, dimensions]);
  const fitted = { weights: new Float64Array(2 * dimensions).fill(0.5), bias: Float64Array.of(1, -1), classes: 2, dimensions };
  const spliced = decodeModel(encodeModel(spliceHead(proto, head, fitted)));
  assert.deepEqual(tensorDims(spliced.graph.initializer.find((t) => t.name === 'w.t')!), [dimensions, 2]);
  assert.deepEqual(tensorValues(spliced.graph.initializer.find((t) => t.name === gemm.input[2])!), [1, -1]);
  assert.deepEqual(
    spliced.graph.node.slice(-2).map((n) => n.opType),
    ['MatMul', 'Add'],
  );
});

test('with enough validation scans the probe is calibrated: a temperature in the manifest, fitted as scipy would, that classify applies', async () => {
  const folder = join(tmp, 'variants');
  await writeLabelledVariants(folder, 40, 5, 8);
  const backbone = await loadModel(DEMO);
  const result = await trainJob(backbone, { labelled: folder, out: join(tmp, 'calibrated'), seed: 2 });
  assert.equal(result.validation.images, 32);
  const calibrated = result.calibration;
  assert.ok(typeof calibrated !== 'string', `not calibrated: ${String(calibrated)}`);
  assert.ok(calibrated.after.nll <= calibrated.before.nll + 1e-12, `NLL ${calibrated.before.nll} -> ${calibrated.after.nll}`);
  const manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8')) as { output: { temperature?: number } };
  assert.equal(manifest.output.temperature, calibrated.temperature);
  assert.match(readFileSync(result.cardPath, 'utf8'), /Temperature scaling: T = \d+\.\d{4}/);
  // classify divides the logits by it: the same scan through the model with and without the temperature.
  const probe = await loadModel(result.manifestPath);
  const scan = join(folder, 'glioma', 'glioma-000.png');
  const rowOf = async (model: typeof probe): Promise<readonly number[]> => {
    for await (const row of classifyFiles(model, [scan])) if ('probabilities' in row && row.probabilities) return row.probabilities;
    return assert.fail('no row');
  };
  const scaled = await rowOf(probe);
  const plain = await rowOf({ ...probe, manifest: { ...probe.manifest, output: { ...probe.manifest.output, temperature: undefined } } });
  const logits = plain.map(Math.log);
  const expected = logits.map((z) => Math.exp(z / calibrated.temperature) / logits.reduce((s, v) => s + Math.exp(v / calibrated.temperature), 0));
  scaled.forEach((p, c) => assert.ok(Math.abs(p - expected[c]!) < 1e-9, `class ${c}: ${p} vs ${expected[c]}`));
});
