import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FLAGGED_SAMPLE, NORMAL_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { fixture, ROOT } from '../helpers/paths';
import { reportAudit, reportRows } from '../helpers/reportRows';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-report-'));
const labelled = join(work, 'labelled');
/** A class folder name is the model's; a file name is anyone's: markup, quotes and an ampersand. */
const HOSTILE = `"><img src=x onerror=alert(1)> & 'q'.png`;

interface JsonRow {
  file: string;
  kind: string;
  top?: { label: string; probability: number };
  probabilities?: number[];
  error?: string;
}

before(async () => {
  // Every third variant filed under the next class, so the model makes mistakes the audit must count.
  await writeLabelledVariants(labelled, 3, 19, 3);
  copyFileSync(join(ROOT, 'samples', 'glioma-02.png'), join(labelled, 'glioma', HOSTILE));
  writeFileSync(join(labelled, 'notumor', 'broken.png'), readFileSync(join(ROOT, 'samples', 'notumor-01.png')).subarray(0, 300));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('the report lists the rows of --json, in the same order, with the same numbers, and the error row with its reason', () => {
  const report = join(work, 'labelled.html');
  const result = runCli(['classify', labelled, '--json', '--report', report]);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /wrote .*labelled\.html \(14 row\(s\), [\d.]+ MB\)/);
  const json = (JSON.parse(result.stdout) as { results: JsonRow[] }).results;
  const html = readFileSync(report, 'utf8');
  const rows = reportRows(html);
  assert.equal(rows.length, json.length);
  rows.forEach((row, i) => {
    const expected = json[i]!;
    assert.equal(row['file'], expected.file, `row ${i}`);
    assert.equal(row['kind'], expected.kind);
    assert.equal(row['error'], expected.error);
    if (expected.error !== undefined) return;
    assert.equal(row['top'], expected.top!.label);
    assert.equal(Number(row['probability']), expected.top!.probability, `${expected.file}: the probability, to the bit`);
    const sorted = [...expected.probabilities!].sort((a, b) => b - a);
    assert.ok(Math.abs(Number(row['margin']) - (sorted[0]! - sorted[1]!)) < 1e-12, `${expected.file}: margin`);
    const entropy = -expected.probabilities!.reduce((s, p) => s + (p > 0 ? p * Math.log2(p) : 0), 0);
    assert.ok(Math.abs(Number(row['entropy']) - entropy) < 1e-12, `${expected.file}: entropy`);
  });
  assert.ok(
    rows.some((r) => r['file']!.endsWith(HOSTILE)),
    'the hostile name reads back as it is',
  );
  assert.ok(!html.includes('<img src=x'), 'a file name cannot add markup');
  const broken = rows.find((r) => r['file']!.endsWith('broken.png'))!;
  assert.match(broken['error']!, /broken\.png: /);
  assert.match(html, /<h3>Errors<\/h3><ul class="error"><li>[^<]*broken\.png: [^<]+<\/li><\/ul>/);
  // Every classified row has its thumbnail; the error row has none.
  assert.equal((html.match(/<img src="data:image\/jpeg;base64,/g) ?? []).length, json.length - 1);
});

test("a labelled folder's audit has scanlens evaluate's numbers for the same folder", () => {
  const report = join(work, 'audit.html');
  assert.equal(runCli(['classify', labelled, '--report', report]).status, 2);
  const audit = reportAudit(readFileSync(report, 'utf8'));
  assert.ok(audit, 'a folder of class folders is audited');
  const evaluate = runCli(['evaluate', labelled, '--json']);
  assert.equal(evaluate.status, 2, evaluate.stderr);
  const evaluated = JSON.parse(evaluate.stdout) as { accuracy: number; confusion: number[][]; rows: unknown[]; failed: number; perClass: { auc: number | null }[]; calibration: { ece: number } };
  assert.equal(audit.accuracy, evaluated.accuracy);
  assert.deepEqual(audit.confusion, evaluated.confusion);
  assert.equal(audit.failed, evaluated.failed);
  assert.equal(audit.evaluated, evaluated.rows.length - evaluated.failed);
  // Sums over the same rows in another order (evaluate lists them as the labelled set does): equal to rounding.
  assert.ok(Math.abs(audit.ece - evaluated.calibration.ece) < 1e-12, `ECE ${audit.ece} against ${evaluated.calibration.ece}`);
  audit.auc.forEach((auc, c) => assert.ok(Math.abs(auc! - evaluated.perClass[c]!.auc!) < 1e-12, `class ${c}: AUC ${auc} against ${evaluated.perClass[c]!.auc}`));
  assert.ok(audit.accuracy < 1, 'the mislabelled variants are counted as mistakes');
  assert.equal(audit.failed, 1, 'the broken scan is a failure, not a mistake');
});

test('--report-overlays adds the explanation beside each thumbnail; it needs --report', () => {
  const report = join(work, 'overlays.html');
  const two = [join(ROOT, 'samples', 'glioma-01.png'), join(ROOT, 'samples', 'pituitary-02.png')];
  const result = runCli(['classify', ...two, '--report', report, '--report-overlays', 'gradcam++']);
  assert.equal(result.status, 0, result.stderr);
  const html = readFileSync(report, 'utf8');
  assert.equal((html.match(/<img src="data:image\/jpeg;base64,[^"]+" width="96" height="96" alt="explanation">/g) ?? []).length, 2);
  assert.match(html, /<dt>Overlays<\/dt><dd>gradcam\+\+<\/dd>/);
  assert.equal(reportAudit(html), undefined, 'files given one by one are not audited');

  const alone = runCli(['classify', ...two, '--report-overlays']);
  assert.equal(alone.status, 1);
  assert.match(alone.stderr, /--report-overlays needs --report/);
});

test('thumbnails keep the file small: under 4 kB a row for the 96-pixel samples', () => {
  const report = join(work, 'samples.html');
  const result = runCli(['classify', join(ROOT, 'samples'), '--report', report]);
  assert.equal(result.status, 0, result.stderr);
  const html = readFileSync(report, 'utf8');
  const rows = reportRows(html).length;
  const perRow = Buffer.byteLength(html) / rows;
  console.log(`report: ${rows} rows, ${(perRow / 1000).toFixed(2)} kB a row`);
  assert.ok(perRow < 4000, `${perRow.toFixed(0)} bytes a row`);
});

test("volumes, a series and a guarded model: each report row is the --json row's top peak slice, with the guard's verdict", () => {
  const dir = mkdtempSync(join(work, 'guarded-'));
  const model = guardedDemoModel(dir);
  const report = join(dir, 'report.html');
  const inputs = [FLAGGED_SAMPLE, NORMAL_SAMPLE, fixture('nifti', 'ras-grid.nii'), fixture('dicom', 'series')];
  const result = runCli(['classify', ...inputs, '--model', model, '--axis', 'sagittal', '--json', '--report', report]);
  assert.equal(result.status, 0, result.stderr);
  type Verdict = { anomalyScore?: number; flag?: string };
  const json = (JSON.parse(result.stdout) as { results: (JsonRow & Verdict & { top: { slice?: number } & Verdict; slices?: { slice: number; probabilities: number[] }[]; sliceCount?: number })[] })
    .results;
  const html = readFileSync(report, 'utf8');
  const rows = reportRows(html);
  assert.deepEqual(
    rows.map((r) => r['kind']),
    json.map((r) => r.kind),
  );
  assert.ok(rows.some((r) => r['kind'] === 'volume') && rows.some((r) => r['kind'] === 'series'));
  rows.forEach((row, i) => {
    const expected = json[i]!;
    const verdict = expected.kind === 'image' ? expected : expected.top;
    assert.equal(Number(row['anomaly-score']), verdict.anomalyScore, `${expected.file}: the guard's score`);
    assert.equal(row['ood'], String(verdict.flag !== undefined));
    if (expected.kind === 'image') return;
    assert.equal(Number(row['slice']), expected.top.slice);
    const probabilities = expected.slices!.find((s) => s.slice === expected.top.slice)!.probabilities;
    const sorted = [...probabilities].sort((a, b) => b - a);
    assert.ok(Math.abs(Number(row['margin']) - (sorted[0]! - sorted[1]!)) < 1e-12, `${expected.file}: the margin of its top peak slice`);
    assert.match(html, new RegExp(`${expected.kind}, sagittal slice ${expected.top.slice! + 1}/${expected.sliceCount}`));
  });
  assert.deepEqual(
    rows.slice(0, 2).map((r) => r['ood']),
    ['true', 'false'],
    'the lesion sample is flagged, the normal one passes',
  );
  assert.equal((html.match(/alt="scan"/g) ?? []).length, rows.length, 'a thumbnail for each, the series too');
  assert.match(html, /<th>out of distribution<\/th>/);
});
