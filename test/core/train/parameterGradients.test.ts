import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float } from '../../../src/core/onnx/attributes';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { encodeModel } from '../../../src/core/onnx/modelProto';
import { TrainingSession, type TrainedParameter } from '../../../src/core/train/trainingSession';
import { emptyModel, random, randomValues, spacedValues } from '../explain/gradCheck';

/**
 * Weight gradients of the training model (loss = weighted cross-entropy of
 * a batch of 2, unequal sample weights) against central finite differences
 * of its own loss output,
 * a few seeded entries of every parameter of every op type: Conv (plain,
 * grouped, depthwise strided, with bias), BatchNormalization's scale and
 * bias (inference form), LayerNormalization's scale and bias, MatMul and
 * Gemm (transB) weights and bias.
 */

const BATCH = 2;
const INPUT = [BATCH, 2, 6, 6];

function model(): { bytes: Uint8Array; parameters: { name: string; dims: number[]; values: number[] }[] } {
  const m = emptyModel(17);
  const b = new GraphBuilder(m.graph, 'case/');
  const parameters: { name: string; dims: number[]; values: number[] }[] = [];
  let seed = 100;
  const param = (name: string, dims: number[], low = -0.6, high = 0.6): string => {
    const values = randomValues(
      dims.reduce((p, d) => p * d, 1),
      seed++,
      low,
      high,
    );
    m.graph.initializer.push({ name, dims, dataType: 1, floatData: values });
    parameters.push({ name, dims, values });
    return name;
  };
  m.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: INPUT.map((d) => ({ dimValue: d })) } } } });
  const conv1 = b.op('Conv', ['x', param('conv1.w', [4, 2, 3, 3]), param('conv1.b', [4])], { pads: [1, 1, 1, 1] });
  const bn = b.op('BatchNormalization', [conv1, param('bn.scale', [4], 0.5, 1.5), param('bn.bias', [4]), b.constFloat([0.1, -0.2, 0.05, 0], [4]), b.constFloat([0.8, 1.2, 0.5, 2], [4])], {
    epsilon: float(1e-5),
  });
  const grouped = b.op('Conv', [b.op('Relu', [bn]), param('grouped.w', [4, 2, 3, 3])], { group: 2, pads: [1, 1, 1, 1], dilations: [1, 1] });
  const depthwise = b.op('Conv', [b.op('Tanh', [grouped]), param('depthwise.w', [4, 1, 3, 3]), param('depthwise.b', [4])], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] });
  const pooled = b.op('Flatten', [b.op('GlobalAveragePool', [depthwise])], { axis: 1 });
  const normed = b.op('LayerNormalization', [pooled, param('ln.scale', [4], 0.5, 1.5), param('ln.bias', [4])], { axis: -1 });
  const hidden = b.op('Tanh', [b.op('MatMul', [normed, param('fc1.w', [4, 5])])]);
  m.graph.node.push({ opType: 'Gemm', name: 'head', input: [hidden, param('head.w', [3, 5]), param('head.b', [3])], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] });
  m.graph.output.push({ name: 'logits', type: { tensorType: { elemType: 1 } } });
  return { bytes: encodeModel(m), parameters };
}

test('weight gradients of every trainable op type match central finite differences of the loss', async () => {
  const { bytes, parameters } = model();
  const trained: TrainedParameter[] = parameters.map((p) => ({ name: p.name, dims: p.dims }));
  const session = await TrainingSession.create({ bytes, file: 'case.onnx', inputName: 'x', inputDims: INPUT, logits: 'logits', parameters: trained, threads: 1 });
  const images = Float32Array.from(
    spacedValues(
      INPUT.reduce((p, d) => p * d, 1),
      3,
    ),
  );
  const labels = [2, 0];
  const weights = [0.35, 0.65];
  const values = parameters.map((p) => Float32Array.from(p.values));
  const analytic = await session.run(images, labels, weights, values);
  assert.ok(Number.isFinite(analytic.loss) && analytic.loss > 0);
  // float32 throughout (onnxruntime's CPU Conv has no double kernel): a step small enough to cross no ReLU kink, large enough to stay above rounding.
  const eps = 3e-3;
  const next = random(9);
  for (const [i, p] of parameters.entries()) {
    const picks = [...new Set(Array.from({ length: 4 }, () => Math.floor(next() * p.values.length)))];
    for (const k of picks) {
      const shifted = (delta: number): Float32Array[] => values.map((v, j) => (j === i ? Float32Array.from(v, (x, n) => (n === k ? x + delta : x)) : v));
      const plus = (await session.run(images, labels, weights, shifted(eps))).loss;
      const minus = (await session.run(images, labels, weights, shifted(-eps))).loss;
      const numeric = (plus - minus) / (2 * eps);
      const got = analytic.gradients[i]![k]!;
      assert.ok(Math.abs(got - numeric) <= 1e-4 + 2e-3 * Math.abs(numeric), `${p.name}[${k}]: analytic ${got}, finite differences ${numeric}`);
    }
    assert.ok(
      analytic.gradients[i]!.some((g) => Math.abs(g) > 1e-4),
      `${p.name} has a non-zero gradient`,
    );
  }
  await session.release();
});
