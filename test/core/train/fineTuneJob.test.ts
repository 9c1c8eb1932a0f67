import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { classifyFiles } from '../../../src/core/classify/classify';
import { trainJob } from '../../../src/core/jobs/trainJob';
import { loadModel } from '../../../src/core/model/loadModel';
import { decodeModel } from '../../../src/core/onnx/modelProto';
import { findHead } from '../../../src/core/train/headGraph';
import { SAMPLE_CLASSES, writeLabelledVariants } from '../../helpers/labelledVariants';
import { ROOT } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-finetune-'));
const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const FILES = ['model.onnx', 'model.json', 'MODEL_CARD.md', 'training-log.json'];
const SETTINGS = { blocks: 1, epochs: 2, batchSize: 8 };

test('fine-tuning the last block: its weights and the head change, nothing else of the backbone; the model written computes what training measured; same data and seed give the same bytes', async () => {
  const folder = join(tmp, 'data');
  await writeLabelledVariants(folder, 5, 4);
  const backbone = await loadModel(DEMO);
  const epochs: number[] = [];
  const first = await trainJob(backbone, { labelled: folder, out: join(tmp, 'a'), fineTune: SETTINGS, onEpoch: (record) => epochs.push(record.epoch) });
  assert.deepEqual(epochs, [0, 1, 2]);
  assert.ok(first.fineTune);
  assert.deepEqual(first.fineTune.blocks, ['/features/features.17/Conv']);
  assert.equal(first.fineTune.history.length, 3);
  assert.ok(first.fineTune.bestEpoch > 0, 'an epoch beat the probe');
  assert.match(first.card, /## Fine-tuning[\s\S]*AdamW[\s\S]*\| 0 \(probe\) \|[\s\S]*\| 2( \(kept\))? \|/);
  assert.equal(JSON.parse(readFileSync(first.manifestPath, 'utf8')).name, 'brain-mri-demo-finetuned');
  assert.equal(JSON.parse(readFileSync(first.logPath, 'utf8')).fineTune.history.length, 3);

  // Against the backbone: the last block's and the head's initializers differ, every other one is the backbone's.
  const tuned = decodeModel(readFileSync(first.modelPath)).graph.initializer;
  const original = new Map(decodeModel(readFileSync(backbone.onnxPath)).graph.initializer.map((t) => [t.name, Buffer.from(t.rawData ?? [])]));
  const changed = tuned.filter((t) => !Buffer.from(t.rawData ?? []).equals(original.get(t.name) ?? Buffer.alloc(0))).map((t) => t.name);
  const head = findHead(decodeModel(readFileSync(first.modelPath)).graph, first.modelPath);
  assert.deepEqual(changed.sort(), ['onnx::Conv_78', 'onnx::Conv_79', head.weight, head.bias].sort());

  // The written model classifies every scan as training measured it (kept weights, unaugmented).
  const model = await loadModel(first.manifestPath);
  const files = SAMPLE_CLASSES.flatMap((label) => readdirSync(join(folder, label)).map((f) => ({ file: join(folder, label, f), label })));
  let correct = 0;
  for await (const row of classifyFiles(
    model,
    files.map((f) => f.file),
  )) {
    assert.ok('top' in row && row.top);
    if (row.top.label === files.find((f) => f.file === row.file)!.label) correct++;
  }
  const measured = first.train.accuracy * first.train.images + first.validation.accuracy * first.validation.images;
  assert.equal(correct, Math.round(measured));

  await trainJob(backbone, { labelled: folder, out: join(tmp, 'b'), fineTune: SETTINGS });
  for (const name of FILES) assert.ok(readFileSync(join(tmp, 'a', name)).equals(readFileSync(join(tmp, 'b', name))), `${name} differs between two runs`);
});

test('fine-tuning: cancelled after an epoch it writes nothing; more blocks than the backbone has is one line', async () => {
  const folder = join(tmp, 'small');
  await writeLabelledVariants(folder, 3, 5);
  const backbone = await loadModel(DEMO);
  const controller = new AbortController();
  await assert.rejects(
    trainJob(backbone, { labelled: folder, out: join(tmp, 'cancelled'), fineTune: SETTINGS, signal: controller.signal, onEpoch: () => controller.abort() }),
    /training cancelled; nothing was written/,
  );
  assert.equal(existsSync(join(tmp, 'cancelled')), false);
  await assert.rejects(
    trainJob(backbone, { labelled: folder, out: join(tmp, 'many'), fineTune: { blocks: 40 } }),
    /--finetune-blocks 40 asks for more blocks than the backbone has before its head \(\d+\)/,
  );
});
