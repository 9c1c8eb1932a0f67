import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openScorer } from '../../../src/core/anomaly/openScorer';
import { reconstructionError } from '../../../src/core/anomaly/reconstruction/reconstructionError';
import { releaseModels } from '../../../src/core/model/modelCache';
import { sharp } from '../../../src/core/native/sharp';
import { GraphBuilder } from '../../../src/core/onnx/graphBuilder';
import { encodeModel } from '../../../src/core/onnx/modelProto';
import type { ModelProto } from '../../../src/core/onnx/onnxSchema';

const work = mkdtempSync(join(tmpdir(), 'scanlens-reconstruction-'));
const SIZE = 16;

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

/** A "reconstruction" that halves its input, so the error is (x/2)² exactly. */
function halvingModel(anomaly: Record<string, number> | undefined): string {
  const model: ModelProto & { graph: NonNullable<ModelProto['graph']> } = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [],
    graph: { name: 'halve', node: [], initializer: [], input: [], output: [], valueInfo: [] },
  };
  const dims = { dim: [1, 1, SIZE, SIZE].map((d) => ({ dimValue: d })) };
  model.graph.input.push({ name: 'input', type: { tensorType: { elemType: 1, shape: dims } } });
  model.graph.node.push({ opType: 'Mul', name: 'halve', input: ['input', new GraphBuilder(model.graph, 'test/').scalar(0.5)], output: ['reconstruction'], attribute: [] });
  model.graph.output.push({ name: 'reconstruction', type: { tensorType: { elemType: 1, shape: dims } } });
  const bytes = encodeModel(model);
  const folder = mkdtempSync(join(work, 'model-'));
  writeFileSync(join(folder, 'model.onnx'), bytes);
  const manifest = {
    schema: 'scanlens.model/1',
    name: 'halving-autoencoder',
    version: '1',
    task: 'reconstruction',
    file: 'model.onnx',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    input: { channels: 1, size: { width: SIZE, height: SIZE } },
    output: { name: 'reconstruction' },
    labels: ['reconstruction'],
    ...(anomaly ? { anomaly } : {}),
  };
  writeFileSync(join(folder, 'model.json'), JSON.stringify(manifest));
  return join(folder, 'model.json');
}

test('reconstruction error is the channel mean of squared differences, in either layout', () => {
  const input = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const output = Float32Array.from([1, 0, 3, 1, 5, 2]);
  // NCHW, 2 channels × 3 pixels: channel 0 differs by 0, 2, 0 and channel 1 by 3, 0, 4.
  assert.deepEqual(Array.from(reconstructionError(input, output, 'NCHW', 2, 3)), [4.5, 2, 8]);
  // NHWC, 3 pixels × 2 channels: pixel 0 diffs 0, 2 → 2; pixel 1 diffs 0, 3 → 4.5; pixel 2 diffs 0, 4 → 8.
  assert.deepEqual(Array.from(reconstructionError(input, output, 'NHWC', 2, 3)), [2, 4.5, 8]);
});

test('a reconstruction model scores by its error map against the manifest threshold', async () => {
  const pixels = new Uint8Array(SIZE * SIZE).fill(102); // 0.4 → error 0.04
  pixels[3 * SIZE + 9] = 204; // 0.8 → error 0.16
  const scan = join(work, 'scan.png');
  writeFileSync(
    scan,
    await sharp()(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } })
      .png()
      .toBuffer(),
  );
  const scorer = await openScorer(halvingModel({ threshold: 0.1, sigma: 0 }));
  const result = await scorer.score(scan);
  assert.ok(Math.abs(result.score - 0.16) < 1e-6, `score ${result.score}`);
  assert.ok(Math.abs(result.map.data[0]! - 0.04) < 1e-6);
  assert.equal(result.label, 'anomalous');
  assert.equal(scorer.kind, 'reconstruction');
  // Smoothing spreads the one bad pixel: the score falls but stays above the background.
  const smooth = await (await openScorer(halvingModel({ threshold: 0.1, sigma: 1 }))).score(scan);
  assert.ok(smooth.score < 0.16 && smooth.score > 0.04);
  await assert.rejects(openScorer(halvingModel(undefined)), /model\.json: a reconstruction model needs a threshold/);
  assert.equal((await (await openScorer(halvingModel(undefined), { threshold: 0.5 })).score(scan)).label, 'normal');
});
