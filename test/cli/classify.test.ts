import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

interface Row {
  kind?: string;
  file: string;
  labels?: string[];
  probabilities?: number[];
  top?: { label: string; probability: number };
  error?: string;
}
interface ClassifyJson {
  model: { name: string; sha256: string; labels: string[] };
  results: Row[];
  summary: { files: number; classified: number; failed: number };
}

const samples = join(ROOT, 'samples');
const sampleFiles = readdirSync(samples).filter((f) => f.endsWith('.png'));
/** classify walks folders recursively: samples/ also holds the anomaly demo sets and the 3D demo's volumes. */
const allSampleScans = (readdirSync(samples, { recursive: true }) as string[]).filter((f) => f.endsWith('.png') || f.endsWith('.nii.gz'));
const truth = new Map(
  readFileSync(join(samples, 'labels.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',') as [string, string]),
);

test('classify samples/ --json: every sample reported, probabilities sum to 1, most labels right', () => {
  const { status, stdout, stderr } = runCli(['classify', 'samples/', '--json']);
  assert.equal(status, 0, stderr);
  const doc = JSON.parse(stdout) as ClassifyJson;
  assert.equal(doc.model.name, 'brain-mri-demo');
  assert.match(doc.model.sha256, /^[0-9a-f]{64}$/);
  assert.equal(doc.results.length, allSampleScans.length);
  let right = 0;
  let labelled = 0;
  for (const row of doc.results) {
    assert.equal(row.error, undefined);
    // A volume through the 2D demo model is a slice profile row (its top slice's class), checked by the volume tests.
    if (row.kind === 'volume') continue;
    assert.deepEqual(row.labels, doc.model.labels);
    const sum = row.probabilities!.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-6, `${row.file} sums to ${sum}`);
    assert.equal(row.top!.probability, Math.max(...row.probabilities!));
    const expected = truth.get(row.file.replace(/^samples\//, ''));
    if (expected === undefined) continue;
    labelled++;
    if (expected === row.top!.label) right++;
  }
  assert.equal(labelled, truth.size);
  assert.ok(right / labelled > 0.75, `${right}/${labelled} labelled samples right`);
});

test('a folder with one corrupt file reports the others and exits 2 with one line naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-cli-'));
  for (const name of sampleFiles.slice(0, 3)) copyFileSync(join(samples, name), join(dir, name));
  const good = readFileSync(join(samples, sampleFiles[0]!));
  writeFileSync(join(dir, 'corrupt.png'), good.subarray(0, 80));
  writeFileSync(join(dir, 'README.txt'), 'not a scan, skipped');
  const { status, stdout, stderr } = runCli(['classify', dir, '--json']);
  assert.equal(status, 2);
  const doc = JSON.parse(stdout) as ClassifyJson;
  assert.equal(doc.results.length, 4);
  const bad = doc.results.filter((r) => r.error !== undefined);
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.file, /corrupt\.png$/);
  assert.match(bad[0]!.error!, /corrupt\.png: /);
  assert.equal(doc.results.filter((r) => r.probabilities).length, 3);
  const errorLines = stderr.split('\n').filter((l) => l.includes('corrupt.png'));
  assert.equal(errorLines.length, 1);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.match(stderr, /skipped 1 file/);
});

test('--csv writes a header and one row per file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-csv-'));
  const csv = join(dir, 'out', 'results.csv');
  const { status, stderr } = runCli(['classify', 'samples/', '--csv', csv]);
  assert.equal(status, 0, stderr);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'file,top_label,top_probability,p_glioma,p_meningioma,p_notumor,p_pituitary,error,kind,axis,slices,top_slice,peak_slices,check');
  assert.equal(lines.length, allSampleScans.length + 1);
});

test('a missing model exits 1 with a one-line reason naming it', () => {
  const { status, stdout, stderr } = runCli(['classify', 'samples/', '--model', 'nowhere/model.json', '--json']);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.equal(stderr.trim(), 'scanlens: nowhere/model.json: model not found');
});

test('usage mistakes exit 1', () => {
  assert.equal(runCli(['classify']).status, 1);
  assert.equal(runCli(['frobnicate']).status, 1);
  assert.equal(runCli(['classify', 'samples/', '--top', 'zero']).status, 1);
});

test('a file that does not exist is an error row, the rest still classified', () => {
  const { status, stdout } = runCli(['classify', join('samples', sampleFiles[0]!), 'samples/absent.png', '--json']);
  assert.equal(status, 2);
  const doc = JSON.parse(stdout) as ClassifyJson;
  assert.equal(doc.results.length, 2);
  assert.match(doc.results.find((r) => r.error)!.error!, /absent\.png: no such file/);
});
