import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { readResultFile } from '../../../src/host/results/resultFile';
import { CURVE_POINTS, chartCurve, classifiedFolder, resultsView } from '../../../src/host/results/resultsView';
import type { Audit } from '../../../src/protocol/resultsMessages';
import { writeLabelledVariants } from '../../helpers/labelledVariants';
import { ROOT } from '../../helpers/paths';
import { runCli } from '../../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-results-view-'));
const labelled = join(work, 'labelled');

interface Evaluated {
  accuracy: number;
  confusion: number[][];
  rows: { file: string; label: string }[];
  failed: number;
  perClass: { label: string; precision: number | null; recall: number | null; support: number; auc: number | null }[];
  calibration: { ece: number; brier: number; bins: { count: number }[] };
  roc: { label: string; fpr: number[]; tpr: number[] }[];
}

/** `scanlens classify --json` of `target`, saved as a result file. */
function classifyTo(target: string, name: string): string {
  const result = runCli(['classify', target, '--json']);
  assert.ok(result.status === 0 || result.status === 2, result.stderr);
  const path = join(work, name);
  writeFileSync(path, result.stdout);
  return path;
}

function evaluate(target: string): Evaluated {
  const result = runCli(['evaluate', target, '--json']);
  assert.ok(result.status === 0 || result.status === 2, result.stderr);
  return JSON.parse(result.stdout) as Evaluated;
}

/** The view's audit is evaluate's: counts equal, sums over the same rows in another order equal to rounding. */
function assertSameNumbers(audit: Audit, evaluated: Evaluated): void {
  assert.equal(audit.accuracy, evaluated.accuracy);
  assert.deepEqual(audit.confusion, evaluated.confusion);
  assert.equal(audit.failed, evaluated.failed);
  assert.equal(audit.evaluated, evaluated.rows.length - evaluated.failed);
  assert.ok(Math.abs(audit.calibration.ece - evaluated.calibration.ece) < 1e-12, `ECE ${audit.calibration.ece} against ${evaluated.calibration.ece}`);
  assert.ok(Math.abs(audit.calibration.brier - evaluated.calibration.brier) < 1e-12);
  assert.deepEqual(
    audit.calibration.bins.map((b) => b.count),
    evaluated.calibration.bins.map((b) => b.count),
  );
  // The curves: the same points, whatever order the rows came in.
  assert.deepEqual(
    audit.roc.map((r) => [r.label, r.fpr, r.tpr]),
    evaluated.roc.map((r) => [r.label, r.fpr, r.tpr]),
  );
  audit.perClass.forEach((c, i) => {
    const theirs = evaluated.perClass[i]!;
    assert.deepEqual([c.label, c.precision, c.recall, c.support], [theirs.label, theirs.precision, theirs.recall, theirs.support]);
    assert.ok(c.auc === theirs.auc || Math.abs(c.auc! - theirs.auc!) < 1e-12, `${c.label}: AUC ${c.auc} against ${theirs.auc}`);
  });
}

before(async () => {
  // Every third variant filed under the next class, so there are mistakes to count and show.
  await writeLabelledVariants(labelled, 3, 23, 3);
  writeFileSync(join(labelled, 'notumor', 'broken.png'), readFileSync(join(ROOT, 'samples', 'notumor-01.png')).subarray(0, 300));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('a folder of class folders: every entry carries its folder as true class, and the audit has scanlens evaluate numbers', async () => {
  const path = classifyTo(labelled, 'labelled.json');
  const result = await readResultFile(path);
  assert.equal(classifiedFolder(result), labelled);
  const view = await resultsView(result, basename(path), path);
  assert.equal(view.entries.length, 13);
  for (const entry of view.entries) assert.equal(entry.truth, basename(dirname(entry.file)), entry.file);
  const broken = view.entries.find((e) => e.file.endsWith('broken.png'));
  assert.match(broken?.error ?? '', /broken\.png/);
  assert.ok(view.audit && !('none' in view.audit), 'audited');
  assertSameNumbers(view.audit, evaluate(labelled));
  assert.ok(view.audit.accuracy < 1, 'the mislabelled variants are mistakes');
});

test('a folder with labels.csv (the samples): the CSV labels the rows it names, the rest are unlabelled; the same numbers as evaluate on the CSV', async () => {
  const samples = join(ROOT, 'samples');
  const path = classifyTo(samples, 'samples.json');
  const view = await resultsView(await readResultFile(path), 'samples.json', path);
  assert.ok(view.audit && !('none' in view.audit));
  assert.equal(view.audit.source, 'labels.csv');
  const csvRows = readFileSync(join(samples, 'labels.csv'), 'utf8').trim().split('\n').length - 1;
  assert.equal(view.entries.filter((e) => e.truth !== undefined).length, csvRows);
  assert.equal(view.audit.unlabelled, view.entries.length - csvRows);
  assertSameNumbers(view.audit, evaluate(join(samples, 'labels.csv')));
});

test('relative paths resolve against the base given; a file that is not a classify result is one line naming it', async () => {
  const relative = join(work, 'relative.json');
  writeFileSync(
    relative,
    JSON.stringify({ model: { name: 'm', labels: ['a', 'b'] }, results: [{ kind: 'image', file: 'x/y.png', probabilities: [0.25, 0.75], top: { label: 'b', probability: 0.75 } }] }),
  );
  assert.equal((await readResultFile(relative, '/data')).resolved[0]!.file, '/data/x/y.png');
  const view = await resultsView(await readResultFile(relative, '/data'), 'relative.json', relative);
  assert.deepEqual(view.entries[0], { file: 'x/y.png', kind: 'image', top: { label: 'b', probability: 0.75 }, margin: 0.5, entropy: 0.8112781244591328 });

  const notResult = join(work, 'package.json');
  writeFileSync(notResult, JSON.stringify({ name: 'x', results: [{ file: 3 }] }));
  await assert.rejects(readResultFile(notResult), (error: Error) => error.message.startsWith(`${notResult}: not a classify result: model`) && !error.message.includes('\n'));
  writeFileSync(notResult, '{ not json');
  await assert.rejects(readResultFile(notResult), (error: Error) => error.message.startsWith(`${notResult}: not a classify result:`) && !error.message.includes('\n'));
});

test('a ROC curve longer than the chart can draw is thinned to its resolution, keeping its ends; a short one is sent whole', () => {
  const n = 10_001;
  const fpr = Array.from({ length: n }, (_, i) => i / (n - 1));
  const tpr = fpr.map((f) => Math.sqrt(f));
  const thin = chartCurve(fpr, tpr);
  assert.ok(thin.x.length <= 2 * CURVE_POINTS + 1 && thin.x.length > CURVE_POINTS / 2, `${thin.x.length} points`);
  assert.deepEqual([thin.x[0], thin.y[0], thin.x.at(-1), thin.y.at(-1)], [0, 0, 1, 1]);
  for (let i = 1; i < thin.x.length; i++) assert.ok(thin.x[i]! - thin.x[i - 1]! <= 1 / CURVE_POINTS + 1 / (n - 1) + 1e-12 && thin.y[i]! >= thin.y[i - 1]!, 'no step wider than a chart pixel');
  assert.deepEqual(chartCurve([0, 0.5, 1], [0, 0.9, 1]), { x: [0, 0.5, 1], y: [0, 0.9, 1] });
});
