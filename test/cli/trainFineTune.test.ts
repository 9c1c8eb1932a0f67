import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-finetune-cli-'));

function labelled(): string {
  const folder = join(tmp, 'labelled');
  for (const label of ['glioma', 'notumor']) {
    mkdirSync(join(folder, label), { recursive: true });
    for (const file of readdirSync(join(ROOT, 'samples')).filter((f) => f.startsWith(`${label}-`))) copyFileSync(join(ROOT, 'samples', file), join(folder, label, file));
  }
  return folder;
}

test('scanlens train --finetune-blocks: one stderr line per epoch, the fine-tuning in the JSON, a model classify uses', () => {
  const out = join(tmp, 'tuned');
  const run = runCli(['train', labelled(), '--out', out, '--finetune-blocks', '1', '--epochs', '2', '--learning-rate', '0.001', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const epochs = run.stderr.split('\n').filter((l) => l.startsWith('epoch '));
  assert.equal(epochs.length, 3, run.stderr);
  assert.match(epochs[0]!, /^epoch 0\/2: training loss \d+\.\d{4}, accuracy \d+\.\d %; validation loss \d+\.\d{4}, accuracy \d+\.\d %$/);
  const report = JSON.parse(run.stdout) as { fineTune: { settings: { blocks: number; learningRate: number }; blocks: string[]; history: unknown[] }; manifestPath: string };
  assert.equal(report.fineTune.settings.blocks, 1);
  assert.equal(report.fineTune.settings.learningRate, 0.001);
  assert.deepEqual(report.fineTune.blocks, ['/features/features.17/Conv']);
  assert.equal(report.fineTune.history.length, 3);
  const classified = runCli(['classify', join(ROOT, 'samples', 'glioma-03.png'), '--model', report.manifestPath, '--json']);
  assert.equal(classified.status, 0, classified.stderr);
});

test('scanlens train: a fine-tuning option without --finetune-blocks is one line, exit 1, nothing written', () => {
  const out = join(tmp, 'never');
  const run = runCli(['train', labelled(), '--out', out, '--epochs', '3', '--patience', '1']);
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim(), 'scanlens: --epochs, --patience apply only to fine-tuning; add --finetune-blocks K');
  assert.throws(() => readdirSync(out));
});
