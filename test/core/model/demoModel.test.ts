import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { softmax } from '../../../src/core/model/softmax';
import { loadModel } from '../../../src/core/model/loadModel';
import { runModel } from '../../../src/core/model/runModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT, fixture } from '../../helpers/paths';

interface DemoReference {
  model: { sha256: string };
  samples: { file: string; label: string; logits: number[]; probabilities: number[] }[];
}

const reference = JSON.parse(readFileSync(fixture('demo-reference.json'), 'utf8')) as DemoReference;
const modelPath = join(ROOT, 'models', 'brain-mri-demo', 'model.json');

test('the fixture was computed on the model that ships', async () => {
  const model = await loadModel(modelPath, { threads: 1 });
  assert.equal(model.sha256, reference.model.sha256);
});

test('onnxruntime logits through the ScanLens pipeline equal PyTorch logits within 1e-4', async () => {
  const model = await loadModel(modelPath, { threads: 2 });
  const inputs = await Promise.all(reference.samples.map(async (s) => (await prepareInput(await loadScan(join(ROOT, s.file)), model.manifest)).data));
  const outputs = await runModel(model, inputs);
  reference.samples.forEach((sample, i) => {
    const logits = Array.from(outputs[i]!);
    logits.forEach((v, k) => assert.ok(Math.abs(v - sample.logits[k]!) < 1e-4, `${sample.file} logit ${k}: ${v} vs ${sample.logits[k]}`));
    softmax(logits).forEach((p, k) => assert.ok(Math.abs(p - sample.probabilities[k]!) < 1e-4, `${sample.file} p${k}`));
  });
});

test('a batch gives the same logits as one-by-one runs', async () => {
  const model = await loadModel(modelPath, { threads: 1 });
  const inputs = await Promise.all(reference.samples.slice(0, 4).map(async (s) => (await prepareInput(await loadScan(join(ROOT, s.file)), model.manifest)).data));
  const batched = await runModel(model, inputs);
  for (const [i, input] of inputs.entries()) {
    const [single] = await runModel(model, [input]);
    single!.forEach((v, k) => assert.ok(Math.abs(v - batched[i]![k]!) < 1e-5));
  }
});

test('inputs in shared memory, as decode workers write them, give the logits ordinary arrays give, alone or batched, in a reused buffer', async () => {
  const model = await loadModel(modelPath, { threads: 1 });
  const inputs = await Promise.all(reference.samples.slice(0, 3).map(async (s) => (await prepareInput(await loadScan(join(ROOT, s.file)), model.manifest)).data));
  const shared = inputs.map((input) => {
    const view = new Float32Array(new SharedArrayBuffer(input.byteLength));
    view.set(input);
    return view;
  });
  const expected = await runModel(model, inputs);
  const into = new Float32Array(inputs[0]!.length * 3);
  // Same batch size, same numbers; other batch sizes may take other kernels, so within 1e-5.
  const near = (got: Float32Array, want: Float32Array): void => got.forEach((v, k) => assert.ok(Math.abs(v - want[k]!) < 1e-5, `logit ${k}: ${v} vs ${want[k]}`));
  for (const [i, input] of shared.entries()) near((await runModel(model, [input]))[0]!, expected[i]!);
  const batched = await runModel(model, shared, into);
  batched.forEach((logits, i) => assert.deepEqual([...logits], [...expected[i]!]));
  // The buffer is scratch: filled again by the next run, which gives its own answer.
  const again = await runModel(model, [shared[2]!, shared[0]!], into);
  near(again[0]!, expected[2]!);
  near(again[1]!, expected[0]!);
});
