import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-train-cli-'));

test('scanlens train: a labelled folder becomes a model that classify uses; a broken scan is one stderr line and exit 2', () => {
  const folder = join(tmp, 'labelled');
  for (const label of ['glioma', 'notumor']) {
    mkdirSync(join(folder, label), { recursive: true });
    for (const file of readdirSync(join(ROOT, 'samples')).filter((f) => f.startsWith(`${label}-`))) copyFileSync(join(ROOT, 'samples', file), join(folder, label, file));
  }
  writeFileSync(join(folder, 'notumor', 'broken.png'), 'not a png');
  const out = join(tmp, 'probe');
  const trained = runCli(['train', folder, '--out', out, '--json']);
  assert.equal(trained.status, 2, trained.stderr);
  const errorLines = trained.stderr.split('\n').filter((l) => l.startsWith('scanlens: '));
  assert.equal(errorLines.length, 1);
  assert.match(errorLines[0]!, /notumor\/broken\.png: /);
  const report = JSON.parse(trained.stdout) as { labels: string[]; train: { images: number }; validation: { images: number; accuracy: number }; manifestPath: string };
  assert.deepEqual(report.labels, ['glioma', 'notumor']);
  assert.equal(report.train.images + report.validation.images, 6);
  assert.deepEqual(readdirSync(out).sort(), ['MODEL_CARD.md', 'model.json', 'model.onnx', 'training-log.json']);

  const classified = runCli(['classify', join(ROOT, 'samples', 'glioma-03.png'), '--model', join(out, 'model.json'), '--json']);
  assert.equal(classified.status, 0, classified.stderr);
  const row = (JSON.parse(classified.stdout) as { results: { labels: string[]; top: { label: string } }[] }).results[0]!;
  assert.deepEqual(row.labels, ['glioma', 'notumor']);
  assert.equal(row.top.label, 'glioma');
});

test('scanlens train refuses a class of one scan in one line, exit 1, nothing written', () => {
  const folder = join(tmp, 'one-each');
  for (const label of ['glioma', 'notumor']) {
    mkdirSync(join(folder, label), { recursive: true });
    copyFileSync(join(ROOT, 'samples', `${label}-01.png`), join(folder, label, 'a.png'));
  }
  const out = join(tmp, 'never');
  const run = runCli(['train', folder, '--out', out]);
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim(), `scanlens: ${folder}: class 'glioma' has 1 scan; each class needs at least 2`);
  assert.throws(() => readdirSync(out));
});
