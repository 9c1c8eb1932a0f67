import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { minMaxNormalise } from '../../../src/core/explain/upsample';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { ort } from '../../../src/core/native/ort';
import { foldShapes, shapeQueries } from '../../../src/core/onnx/foldShapes';
import { decodeModel } from '../../../src/core/onnx/modelProto';
import { probeTensors } from '../../../src/core/onnx/probeShapes';
import { tensorValues } from '../../../src/core/onnx/tensorData';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT } from '../../helpers/paths';
import { runCli } from '../../helpers/runCli';

/**
 * torchvision architectures exported the ordinary way (torch.onnx.export,
 * static and dynamic batch, opset 17, 14 (LayerNorm decomposed) and opset-18
 * forms, a ResNet and a ViT wrapped with a Softmax) by scripts/reference/make_real_exports.py into .cache/real-exports
 * (not committed: megabytes of random weights), made once and again whenever
 * the script changes. Each must explain with Grad-CAM at its automatic
 * target layer and match the script's PyTorch autograd Grad-CAM.
 */

interface Entry {
  readonly file: string;
  readonly arch: string;
  readonly opset: number;
  readonly batch: string;
  readonly input: string;
  readonly class: number;
  readonly softmax: boolean;
  readonly output: number[];
  readonly cam: { width: number; height: number; data: number[] };
}

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(ROOT, 'scripts', 'reference', 'make_real_exports.py');
const DIR = join(ROOT, '.cache', 'real-exports');

/** The exports' reference, made when missing or stale; a reason to skip when PyTorch is not there to make it. */
function loadReference(): { models: Record<string, Entry> } | string {
  const file = join(DIR, 'reference.json');
  const script = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex');
  const current = (): { script_sha256: string; models: Record<string, Entry> } | undefined => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
  if (current()?.script_sha256 === script) return current()!;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import torch, torchvision and onnx, which make the exports (${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)})`;
  const made = spawnSync(PYTHON, [SCRIPT, DIR], { encoding: 'utf8', timeout: 600_000 });
  if (made.status !== 0) throw new Error(`${SCRIPT} failed: ${made.stderr}`);
  return current()!;
}

const reference = loadReference();
const skip = typeof reference === 'string' ? reference : false;
const models = typeof reference === 'string' ? {} : reference.models;
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-real-exports-'));
after(releaseExplainSessions);

const differences: string[] = [];
after(() => {
  if (differences.length > 0) console.log(`# largest differences from PyTorch Grad-CAM: ${differences.join(', ')}`);
});

/** The layer each architecture's automatic choice must land on (pytorch-grad-cam's convention). */
const LAYERS: Record<string, RegExp> = {
  vit: /^\/encoder\/layers\/encoder_layer_1\/ln_1\//,
  'vit-softmax': /^\/inner\/encoder\/layers\/encoder_layer_1\/ln_1\//,
  'vit-b16': /^\/encoder\/layers\/encoder_layer_11\/ln_1\//,
  swin: /^\/permute\//,
  convnext: /^\/features\/features\.7\//,
};

test('the real exports are made (or PyTorch is missing)', { skip }, () => {
  assert.ok(Object.keys(models).length >= 39, `${Object.keys(models).length} exports`);
});

for (const [name, expected] of Object.entries(models)) {
  test(`Grad-CAM on torchvision ${name} explains at its automatic layer and matches PyTorch autograd Grad-CAM to 1e-3; the other gradient methods run`, async () => {
    const model = await loadModel(join(DIR, expected.file), { threads: 1 });
    const scan = await loadScan(join(DIR, expected.input));
    const { data } = await prepareInput(scan, model.manifest);
    const result = await explainInput(model, data, { method: 'gradcam', classIndex: expected.class, cacheDir });
    assert.equal(result.layer?.source, 'automatic');
    const layer = LAYERS[expected.arch];
    if (layer) assert.match(result.layer!.tensor, layer);
    assert.deepEqual([result.map.height, result.map.width], [expected.cam.height, expected.cam.width]);
    assert.ok(result.map.data.every(Number.isFinite), 'the map is finite');
    assert.ok(Math.max(...result.map.data) > Math.min(...result.map.data), 'the map is not constant');
    const ours = minMaxNormalise(result.map.data);
    const theirs = minMaxNormalise(Float32Array.from(expected.cam.data));
    const worst = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]!)));
    differences.push(`${name} ${worst.toExponential(1)}`);
    assert.ok(worst <= 1e-3, `largest difference ${worst}`);
    const probabilities = expected.softmax ? expected.output : expected.output.map((l) => Math.exp(l - Math.max(...expected.output)));
    const total = probabilities.reduce((a, b) => a + b, 0);
    result.probabilities.forEach((p, i) => assert.ok(Math.abs(p - probabilities[i]! / total) < 1e-4, `probability ${i}: ${p}`));
    // The other gradient methods share the derived model: each must give a finite map of the same size.
    for (const method of ['gradcam++', 'hirescam', 'xgradcam', 'layercam'] as const) {
      const other = await explainInput(model, data, { method, classIndex: expected.class, cacheDir });
      assert.equal(other.map.data.length, result.map.data.length, method);
      assert.ok(other.map.data.every(Number.isFinite), `${method} map is finite`);
    }
    await model.session.release();
  });
}

test('every tensor folded on the ViT and Swin exports equals what onnxruntime computes', { skip }, async () => {
  let compared = 0;
  for (const name of ['vit-opset17-dynamic', 'vit-opset14-dynamic', 'swin-opset17-dynamic', 'swin-opset14-dynamic']) {
    const entry = models[name]!;
    const bytes = readFileSync(join(DIR, entry.file));
    const original = decodeModel(bytes);
    const feeds = { input: new (ort().Tensor)('float32', new Float32Array(3 * 128 * 128).fill(0.5), [1, 3, 128, 128]) };
    const probed = await probeTensors(bytes, shapeQueries(original.graph), feeds, entry.file);
    const folded = decodeModel(bytes);
    foldShapes(folded.graph, new Map([...probed].map(([n, t]) => [n, t.dims.map(Number)])), entry.opset);
    const produced = new Set(original.graph.node.filter((n) => n.opType !== 'Constant').flatMap((n) => n.output));
    const added = folded.graph.initializer.filter((t) => produced.has(t.name!));
    assert.ok(added.length > 10, `${name}: ${added.length} folded tensors`);
    const expected = await probeTensors(
      bytes,
      added.map((t) => t.name!),
      feeds,
      entry.file,
    );
    for (const t of added) {
      const want = Array.from(expected.get(t.name!)!.data as ArrayLike<number | bigint>, Number);
      const got = tensorValues(t);
      assert.deepEqual(t.dims.map(Number), expected.get(t.name!)!.dims.map(Number), t.name);
      assert.ok(
        got.every((v, i) => v === want[i] || Math.abs(v - want[i]!) <= 1e-6 * Math.max(1, Math.abs(want[i]!))),
        `${name}: ${t.name}`,
      );
      compared++;
    }
  }
  console.log(`# ${compared} folded tensors equal onnxruntime's`);
});

test('scanlens explain --json on the dynamic-batch ViT export runs every gradient method', { skip: skip || !models['vit-opset17-dynamic'] }, () => {
  const entry = models['vit-opset17-dynamic']!;
  for (const method of ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam']) {
    const result = runCli(['explain', join(DIR, entry.input), '--model', join(DIR, entry.file), '--method', method, '--json'], ROOT);
    assert.equal(result.status, 0, `${method}: ${result.stderr}`);
    const doc = JSON.parse(result.stdout);
    assert.match(doc.layer.tensor, LAYERS['vit']!);
    assert.deepEqual([doc.map.width, doc.map.height], [entry.cam.width, entry.cam.height]);
  }
});
