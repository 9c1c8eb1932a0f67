import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { normalizeMinMax } from '../../../src/core/anomaly/anomalib/normalizeMinMax';
import { openScorer } from '../../../src/core/anomaly/openScorer';
import { releaseModels } from '../../../src/core/model/modelCache';
import { sharp } from '../../../src/core/native/sharp';
import { ROOT } from '../../helpers/paths';
import { anomalibGraph } from './anomalibGraph';

const work = mkdtempSync(join(tmpdir(), 'scanlens-anomalib-'));
const SIZE = 16;

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

/** A grey 16×16 PNG at 51 (0.2) with one pixel at 204 (0.8): raw map 2 with one 8. */
async function greyScan(): Promise<string> {
  const pixels = new Uint8Array(SIZE * SIZE).fill(51);
  pixels[5 * SIZE + 7] = 204;
  const file = join(work, 'scan.png');
  writeFileSync(
    file,
    await sharp()(pixels, { raw: { width: SIZE, height: SIZE, channels: 1 } })
      .png()
      .toBuffer(),
  );
  return file;
}

function exportFolder(name: string, v2: boolean, metadata?: unknown): string {
  const folder = join(work, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'model.onnx'), anomalibGraph(SIZE, v2));
  if (metadata) writeFileSync(join(folder, 'metadata.json'), JSON.stringify(metadata));
  return join(folder, 'model.onnx');
}

test("normalisation is anomalib's: ((x − t)/(max − min)) + 0.5, clipped", () => {
  assert.equal(normalizeMinMax(4, 4, 0, 10), 0.5);
  assert.ok(Math.abs(normalizeMinMax(6, 4, 0, 10) - 0.7) < 1e-12);
  assert.equal(normalizeMinMax(100, 4, 0, 10), 1);
  assert.equal(normalizeMinMax(-100, 4, 0, 10), 0);
});

test('v1 export + metadata.json: grey scan fed as 3 channels, score and map min-max normalised, threshold 0.5', async () => {
  const scan = await greyScan();
  const model = exportFolder('v1', false, { task: 'segmentation', transform: { __version__: '1.3.0' }, image_threshold: 4, pixel_threshold: 3, min: 0, max: 10 });
  const scorer = await openScorer(model);
  const result = await scorer.score(scan);
  // Raw score 10 · 0.8 = 8 → (8 − 4)/10 + 0.5 = 0.9.
  assert.ok(Math.abs(result.score - 0.9) < 1e-6, `score ${result.score}`);
  assert.equal(result.threshold, 0.5);
  assert.equal(result.label, 'anomalous');
  // Map: raw 2 → (2 − 3)/10 + 0.5 = 0.4; raw 8 → 1.0 (clipped from 1.0).
  assert.ok(Math.abs(result.map.data[0]! - 0.4) < 1e-6);
  assert.ok(Math.abs(result.map.data[5 * SIZE + 7]! - 1) < 1e-6);
  assert.equal(scorer.kind, 'anomalib');
  assert.equal((await scorer.score(scan, 0.95)).label, 'normal');
});

test('v2 export without metadata: scores and labels as the graph gives them', async () => {
  const scan = await greyScan();
  const scorer = await openScorer(exportFolder('v2', true));
  const result = await scorer.score(scan);
  assert.ok(Math.abs(result.score - 8) < 1e-5);
  assert.equal(result.label, 'anomalous');
  assert.equal(scorer.summary()['normalisation'], 'graph');
});

test('a model without anomalib outputs, or broken metadata, is refused in one line', async () => {
  const model = exportFolder('bad-meta', false, { image_threshold: 'high' });
  await assert.rejects(openScorer(model), /metadata\.json: anomalib metadata field 'image_threshold'/);
  await assert.rejects(openScorer(join(work, 'missing.onnx')), /missing\.onnx: detector not found/);
  await assert.rejects(openScorer(join(ROOT, 'models', 'brain-mri-demo', 'model.json')), /model\.json: not an anomaly detector: no detector\.json, and the model's outputs \(logits\)/);
});
