import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Progress } from '../../src/notebook/executor/commandContext';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const PLOTLY = 'application/vnd.plotly.v1+json';
const work = mkdtempSync(join(tmpdir(), 'scanlens-finetune-cell-'));

const session = (base: string): NotebookSession => new NotebookSession({ baseDir: base, defaultModelPath: DEMO, threads: 1 });

test('train finetune=1: the curves so far under the progress line after every epoch, the final curves and card in the result, the model the CLI writes', async () => {
  const base = join(work, 'notebook');
  await writeLabelledVariants(join(base, 'labelled'), 4, 7, 3);
  const progress: Progress[] = [];
  const run = await executeCell(session(base), 'train labelled out=tuned finetune=1 epochs=2 batch=4', { onProgress: (p) => progress.push(p) });
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const epochsShown = (p: Progress): number[] | undefined => (p.live as { data: Record<string, { data: { x: number[] }[] }> } | undefined)?.data[PLOTLY]!.data[0]!.x;
  const ends = progress.filter((p) => / validation loss /.test(p.message));
  assert.equal(ends.length, 3);
  ends.forEach((p, i) => {
    assert.match(p.message, new RegExp(`^fine-tuning: epoch ${i} of at most 2, validation loss \\d+\\.\\d{4}`));
    assert.deepEqual(epochsShown(p), [0, 1, 2].slice(0, i + 1));
  });
  // Batches report within an epoch, the curves so far (from epoch 0, the probe) still shown under them.
  const batches = (epoch: number) => progress.filter((p) => p.message.startsWith(`fine-tuning: epoch ${epoch} of at most 2, batches: `));
  assert.ok(batches(1).length > 0 && batches(1).every((p) => epochsShown(p)?.length === 1));
  assert.ok(batches(2).length > 0 && batches(2).every((p) => epochsShown(p)?.length === 2));
  const [curves, card] = run.outputs as { kind: string; data: Record<string, unknown> }[];
  assert.match(String((curves!.data[PLOTLY] as { layout: { title: { text: string } } }).layout.title.text), /^Fine-tuning \((kept epoch [12]|no epoch beat the probe; kept epoch 0)\)$/);
  assert.match(
    String(card!.data['text/plain']),
    /^fine-tuned \(head and 1 block\(s\), 2 epoch\(s\); (the weights of epoch [12] \(lowest validation loss\) were kept|no epoch lowered .* were kept)\) tuned\/model\.json/,
  );
  assert.match(String(card!.data['text/markdown']), /^# brain-mri-demo-finetuned\n[\s\S]*## Fine-tuning/);

  const cli = runCli(['train', join(base, 'labelled'), '--out', join(work, 'cli'), '--threads', '1', '--finetune-blocks', '1', '--epochs', '2', '--batch-size', '4']);
  assert.equal(cli.status, 0, cli.stderr);
  for (const name of ['model.onnx', 'model.json', 'MODEL_CARD.md'])
    assert.ok(readFileSync(join(base, 'tuned', name)).equals(readFileSync(join(work, 'cli', name))), `${name}: notebook and CLI differ`);
});

test('a fine-tuning option without finetune= is one line naming it', async () => {
  const base = join(work, 'refused');
  await writeLabelledVariants(join(base, 'labelled'), 2, 8);
  const run = await executeCell(session(base), 'train labelled out=never lr=0.001');
  assert.equal(run.ok, false);
  assert.match(JSON.stringify(run.outputs), /lr= applies only to fine-tuning; add finetune=K/);
});
