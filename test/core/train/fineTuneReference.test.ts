import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/onnx/modelProto';
import { initializerValues } from '../../../src/core/explain/scorecard/parameterLayers';
import { tensorDims } from '../../../src/core/onnx/tensorData';
import { AdamW, type AdamWSettings } from '../../../src/core/train/adamw';
import { blocksBeforeHead } from '../../../src/core/train/fineTuneBlocks';
import { findHead } from '../../../src/core/train/headGraph';
import { TrainingSession } from '../../../src/core/train/trainingSession';

/** scripts/reference/finetune_reference.py: a seeded CNN, one batch, PyTorch's loss, gradients and AdamW steps. */
interface Reference {
  readonly input: { name: string; dims: number[]; values: number[] };
  readonly labels: number[];
  readonly classWeights: number[];
  readonly adamw: AdamWSettings;
  readonly parameters: string[];
  readonly loss: number;
  readonly gradients: Record<string, number[]>;
  readonly afterStep1: Record<string, number[]>;
  readonly afterStep3: Record<string, number[]>;
}

const dir = join(__dirname, '..', '..', 'fixtures', 'train');
const reference = JSON.parse(readFileSync(join(dir, 'finetune-reference.json'), 'utf8')) as Reference;

function worst(got: ArrayLike<number>, want: readonly number[]): number {
  assert.equal(got.length, want.length);
  return want.reduce((w, v, i) => Math.max(w, Math.abs(got[i]! - v)), 0);
}

test('a fine-tuning step (class-weighted cross-entropy, AdamW) on a fixed batch matches PyTorch within 1e-4', async () => {
  const bytes = readFileSync(join(dir, 'finetune-cnn.onnx'));
  const graph = decodeModel(bytes).graph;
  const parameters = reference.parameters.map((name) => ({ name, dims: tensorDims(graph.initializer.find((t) => t.name === name)!) }));
  const values = parameters.map((p) => initializerValues(graph, p.name));
  const session = await TrainingSession.create({ bytes, file: 'finetune-cnn.onnx', inputName: reference.input.name, inputDims: reference.input.dims, logits: 'logits', parameters, threads: 1 });
  const images = Float32Array.from(reference.input.values);
  const classWeight = reference.labels.map((y) => reference.classWeights[y]!);
  const total = classWeight.reduce((a, b) => a + b, 0);
  const weights = classWeight.map((w) => w / total);

  const first = await session.run(images, reference.labels, weights, values);
  assert.ok(Math.abs(first.loss - reference.loss) < 1e-5, `loss ${first.loss}, PyTorch ${reference.loss}`);
  parameters.forEach((p, i) => {
    const error = worst(first.gradients[i]!, reference.gradients[p.name]!);
    assert.ok(error < 1e-5, `${p.name}: gradient off by ${error}`);
  });

  const optimiser = new AdamW(
    reference.adamw,
    values.map((v) => v.length),
  );
  optimiser.step(values, first.gradients);
  parameters.forEach((p, i) => {
    const error = worst(values[i]!, reference.afterStep1[p.name]!);
    assert.ok(error < 1e-4, `${p.name} after one step: off by ${error}`);
    assert.ok(worst(values[i]!, [...initializerValues(graph, p.name)]) > 1e-3, `${p.name} moved`);
  });
  for (let step = 2; step <= 3; step++) optimiser.step(values, (await session.run(images, reference.labels, weights, values)).gradients);
  parameters.forEach((p, i) => {
    const error = worst(values[i]!, reference.afterStep3[p.name]!);
    assert.ok(error < 1e-4, `${p.name} after three steps: off by ${error}`);
  });
  await session.release();
});

test('blocks before the head: each Conv with the BatchNormalization reading it, nearest the head first, without the stored statistics', () => {
  const graph = decodeModel(readFileSync(join(dir, 'finetune-cnn.onnx'))).graph;
  assert.deepEqual(blocksBeforeHead(graph, findHead(graph, 'finetune-cnn.onnx')), [
    { name: '/conv2/Conv', parameters: ['bn2.weight', 'bn2.bias', 'conv2.weight', 'conv2.bias'], ops: ['BatchNormalization', 'Conv'] },
    { name: '/conv1/Conv', parameters: ['bn1.weight', 'bn1.bias', 'conv1.weight', 'conv1.bias'], ops: ['BatchNormalization', 'Conv'] },
  ]);
});
