import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { random } from '../../../src/core/explain/seededRandom';
import { initializerValues } from '../../../src/core/explain/scorecard/parameterLayers';
import { decodeModel } from '../../../src/core/onnx/modelProto';
import { tensorDims } from '../../../src/core/onnx/tensorData';
import { AdamW } from '../../../src/core/train/adamw';
import { blocksBeforeHead } from '../../../src/core/train/fineTuneBlocks';
import { findHead } from '../../../src/core/train/headGraph';
import { TrainingSession } from '../../../src/core/train/trainingSession';

/**
 * The reduced torchvision exports the explanations are checked on
 * (scripts/reference/make_real_exports.py): every block before the head
 * trained at once, through residual Adds, squeeze-excitation gates and
 * attention. ResNet's and MobileNet's ReLUs put kinks within any finite
 * difference step a float32 loss can resolve, so the finite-difference check
 * is on the ViT (GELU, smooth); on all three a few AdamW steps on one batch
 * must lower its loss.
 */
const dir = join(__dirname, '..', '..', 'fixtures', 'explain');
const IMAGES = (() => {
  const next = random(3);
  return Float32Array.from({ length: 2 * 3 * 64 * 64 }, () => 2 * next() - 1);
})();
const LABELS = [0, 1];
const WEIGHTS = [0.5, 0.5];

async function trainable(name: string) {
  const file = join(dir, `${name}.onnx`);
  const bytes = readFileSync(file);
  const graph = decodeModel(bytes).graph;
  const head = findHead(graph, file);
  const names = [head.weight, head.bias!, ...blocksBeforeHead(graph, head).flatMap((b) => b.parameters)];
  const parameters = names.map((n) => ({ name: n, dims: tensorDims(graph.initializer.find((t) => t.name === n)!) }));
  const session = await TrainingSession.create({ bytes, file, inputName: 'input', inputDims: [2, 3, 64, 64], logits: head.logits, parameters, threads: 1 });
  return { session, names, values: names.map((n) => initializerValues(graph, n)) };
}

test('ViT export, every block trained: the largest gradient entry of every parameter tensor equals central finite differences', async () => {
  const { session, names, values } = await trainable('vit');
  const base = await session.run(IMAGES, LABELS, WEIGHTS, values);
  const eps = 3e-3;
  for (const [i, name] of names.entries()) {
    const g = base.gradients[i]!;
    const k = g.reduce((best, v, j) => (Math.abs(v) > Math.abs(g[best]!) ? j : best), 0);
    const shifted = (d: number) => values.map((v, j) => (j === i ? Float32Array.from(v, (x, n) => (n === k ? x + d : x)) : v));
    const numeric = ((await session.run(IMAGES, LABELS, WEIGHTS, shifted(eps))).loss - (await session.run(IMAGES, LABELS, WEIGHTS, shifted(-eps))).loss) / (2 * eps);
    assert.ok(Math.abs(g[k]! - numeric) <= 1e-4 + 5e-3 * Math.abs(numeric), `${name}[${k}]: analytic ${g[k]}, finite differences ${numeric}`);
  }
  await session.release();
});

for (const name of ['resnet', 'mobilenetv3', 'vit']) {
  test(`${name} export, every block trained: five AdamW steps (lr 0.01) on one batch cut its loss by a fifth or more`, async () => {
    const { session, values } = await trainable(name);
    const optimiser = new AdamW(
      { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
      values.map((v) => v.length),
    );
    const first = await session.run(IMAGES, LABELS, WEIGHTS, values);
    let step = first;
    for (let i = 0; i < 5; i++) {
      optimiser.step(values, step.gradients);
      step = await session.run(IMAGES, LABELS, WEIGHTS, values);
    }
    assert.ok(step.loss < 0.8 * first.loss, `loss ${first.loss} -> ${step.loss}`);
    await session.release();
  });
}
