import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../src/core/explain/seededRandom';
import { initializerValues } from '../../../src/core/explain/scorecard/parameterLayers';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { fineTune, FINE_TUNE_DEFAULTS, type LabelledInputs } from '../../../src/core/train/fineTune';
import { findHead } from '../../../src/core/train/headGraph';
import { emptyModel, randomValues } from '../explain/gradCheck';

/** x [N,1,6,6] → Conv 1→3 → Relu → GlobalAveragePool → flatten (Flatten, or a Reshape to [1, -1] that fixes the batch at 1) → Gemm 3→2. */
function model(fixedBatch: boolean) {
  const m = emptyModel(17);
  const b = new GraphBuilder(m.graph, 'case/');
  m.graph.initializer.push({ name: 'conv.w', dims: [3, 1, 3, 3], dataType: 1, floatData: randomValues(27, 1, -0.5, 0.5) });
  m.graph.initializer.push({ name: 'conv.b', dims: [3], dataType: 1, floatData: [0.1, 0, -0.1] });
  m.graph.initializer.push({ name: 'head.w', dims: [2, 3], dataType: 1, floatData: randomValues(6, 2) });
  m.graph.initializer.push({ name: 'head.b', dims: [2], dataType: 1, floatData: [0, 0] });
  m.graph.input.push({ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'n' }, { dimValue: 1 }, { dimValue: 6 }, { dimValue: 6 }] } } } });
  const pooled = b.op('GlobalAveragePool', [b.op('Relu', [b.op('Conv', ['x', 'conv.w', 'conv.b'], { pads: [1, 1, 1, 1] })])]);
  const flat = fixedBatch ? b.op('Reshape', [pooled, b.constInt64([1, -1])]) : b.op('Flatten', [pooled]);
  m.graph.node.push({ opType: 'Gemm', name: 'head', input: [flat, 'head.w', 'head.b'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] });
  m.graph.output.push({ name: 'logits', type: { tensorType: { elemType: 1 } } });
  return m as typeof m & { graph: NonNullable<typeof m.graph> };
}

/** Images whose class is whether their left half is brighter than their right. */
function data(n: number, seed: number): LabelledInputs {
  const next = random(seed);
  const inputs: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    inputs.push(Float32Array.from({ length: 36 }, (_, p) => next() - 0.5 + (p % 6 < 3 === (label === 1) ? 0.8 : 0)));
    labels.push(label);
  }
  return { inputs, labels: Int32Array.from(labels) };
}

const request = (fixedBatch: boolean, settings: Partial<typeof FINE_TUNE_DEFAULTS>) => {
  const m = model(fixedBatch);
  return {
    model: m,
    head: findHead(m.graph, 'case.onnx'),
    inputName: 'x',
    geometry: { layout: 'NCHW' as const, channels: 1, height: 6, width: 6 },
    train: data(12, 3),
    validation: data(6, 4),
    classes: 2,
    settings: { ...FINE_TUNE_DEFAULTS, blocks: 1, batchSize: 4, ...settings },
    seed: 5,
    threads: 1,
    file: 'case.onnx',
  };
};

test('a model whose graph fixes its batch at 1 trains one scan at a time to the weights a batch of 4 gives', async () => {
  const batched = await fineTune(request(false, { epochs: 3, learningRate: 0.01 }));
  const single = await fineTune(request(true, { epochs: 3, learningRate: 0.01 }));
  assert.equal(batched.history.length, 4);
  assert.ok(batched.bestEpoch > 0);
  for (const name of ['conv.w', 'conv.b', 'head.w', 'head.b']) {
    const a = initializerValues(batched.model.graph, name);
    const b = initializerValues(single.model.graph, name);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5, `${name}[${i}]: ${v} vs ${b[i]}`));
    assert.ok(
      a.some((v, i) => v !== initializerValues(model(false).graph, name)[i]),
      `${name} was trained`,
    );
  }
  batched.history.forEach((r, i) => assert.ok(Math.abs(r.validationLoss - single.history[i]!.validationLoss) < 1e-5));
});

test('early stopping: with a step so large the validation loss climbs, training stops after patience epochs and keeps the best epoch', async () => {
  const outcome = await fineTune(request(false, { epochs: 20, learningRate: 0.9, patience: 2 }));
  const losses = outcome.history.map((r) => r.validationLoss);
  const best = Math.min(...losses);
  assert.equal(outcome.bestEpoch, losses.indexOf(best));
  assert.equal(outcome.history.length, outcome.bestEpoch + 3);
  assert.ok(outcome.stoppedEarly);
  // The log-probabilities returned are the kept epoch's: their class-balanced loss is its validation loss.
  const rows = outcome.validationLogP;
  const loss = -[0, 1, 2, 3, 4, 5].reduce((s, i) => s + rows[i * 2 + (i % 2)]!, 0) / 6;
  assert.ok(Math.abs(loss - best) < 1e-5, `${loss} vs ${best}`);
});
