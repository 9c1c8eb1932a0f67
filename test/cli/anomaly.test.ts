import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { auroc } from '../../src/core/anomaly/metrics';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-anomaly-'));
process.env['SCANLENS_CACHE_DIR'] = work;
const DEMO = 'models/brain-mri-demo-padim';

interface Row {
  file: string;
  score?: number;
  label?: string;
  threshold?: number;
  map?: string;
  error?: string;
}

test('anomaly eval: the shipped demo detector separates held-out lesions from normal slices (AUROC ≥ 0.9)', () => {
  const result = runCli(['anomaly', 'eval', 'samples/anomaly/normal', 'samples/anomaly/lesion', '--detector', DEMO, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const doc = JSON.parse(result.stdout);
  const { metrics } = doc;
  assert.equal(metrics.normal, 20);
  assert.equal(metrics.anomalous, 20);
  assert.ok(metrics.auroc >= 0.9, `AUROC ${metrics.auroc}`);
  // The reported AUROC is the AUROC of the reported scores.
  const normal = (doc.results.normal as Row[]).map((r) => r.score!);
  const lesion = (doc.results.anomalous as Row[]).map((r) => r.score!);
  assert.equal(metrics.auroc, auroc({ scores: [...normal, ...lesion], anomalous: [...normal.map(() => false), ...lesion.map(() => true)] }));
  assert.equal(doc.threshold, JSON.parse(readFileSync(join(ROOT, DEMO, 'detector.json'), 'utf8')).threshold.value);
  assert.equal(
    metrics.histogram.normal.reduce((a: number, b: number) => a + b, 0),
    20,
  );
  assert.ok(metrics.bestF1.f1 >= metrics.atThreshold.f1);
});

test('anomaly score: rows with score, label and threshold; a bad file becomes an error row; --maps writes overlays', () => {
  const maps = join(work, 'maps');
  const broken = join(work, 'broken.png');
  writeFileSync(broken, 'not a png');
  const result = runCli(['anomaly', 'score', 'samples/anomaly/lesion/glioma-01.png', 'samples/anomaly/normal/normal-01.png', broken, '--detector', DEMO, '--maps', maps, '--json']);
  assert.equal(result.status, 2, result.stderr);
  const doc = JSON.parse(result.stdout);
  const [lesion, normal, bad] = doc.results as Row[];
  assert.equal(lesion!.label, 'anomalous');
  assert.ok(lesion!.score! > lesion!.threshold!);
  assert.ok(normal!.score! < lesion!.score!);
  assert.match(bad!.error!, /broken\.png: /);
  assert.deepEqual(doc.summary, { files: 3, scored: 2, failed: 1 });
  assert.match(result.stderr, /broken\.png/);
  const png = readFileSync(lesion!.map!);
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  assert.deepEqual(readdirSync(maps).sort(), ['glioma-01-anomaly.png', 'normal-01-anomaly.png']);
  // A lower threshold (more sensitive) flags the normal slice too.
  const sensitive = runCli(['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', DEMO, '--threshold', '0', '--json']);
  assert.equal(JSON.parse(sensitive.stdout).results[0].label, 'anomalous');
});

test('anomaly fit → score: a fitted detector folder works from the command line', () => {
  const normals = join(work, 'normals');
  mkdirSync(normals);
  for (const f of readdirSync(join(ROOT, 'samples', 'anomaly', 'normal')).slice(0, 10)) copyFileSync(join(ROOT, 'samples', 'anomaly', 'normal', f), join(normals, f));
  const out = join(work, 'detector');
  const fit = runCli(['anomaly', 'fit', normals, '--out', out, '--method', 'patchcore', '--channels', '8', '--bank-size', '100', '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  const doc = JSON.parse(fit.stdout);
  assert.equal(doc.manifest.method, 'patchcore');
  assert.equal(doc.manifest.training.images, 8);
  assert.equal(doc.calibrationScores.length, 2);
  const score = runCli(['anomaly', 'score', join(normals, 'normal-05.png'), '--detector', out, '--json']);
  assert.equal(score.status, 0, score.stderr);
  assert.equal(JSON.parse(score.stdout).results[0].score, doc.calibrationScores[0]);
});

test('a moved detector carries its backbone; one without it finds it with --backbone', () => {
  const moved = join(work, 'moved');
  cpSync(join(ROOT, DEMO), moved, { recursive: true });
  const whole = runCli(['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', moved, '--json']);
  assert.equal(whole.status, 0, whole.stderr);
  rmSync(join(moved, 'backbone'), { recursive: true });
  const lost = runCli(['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', moved]);
  assert.equal(lost.status, 1);
  assert.match(lost.stderr, /backbone\/model\.json: model not found/);
  const found = runCli(['anomaly', 'score', 'samples/anomaly/normal/normal-01.png', '--detector', moved, '--backbone', 'models/brain-mri-demo', '--json']);
  assert.equal(found.status, 0, found.stderr);
  assert.equal(JSON.parse(found.stdout).results[0].label, 'normal');
});

test('anomaly usage and detector errors are one line, exit 1', () => {
  const missing = runCli(['anomaly', 'score', 'samples/anomaly/normal', '--detector', join(work, 'none')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^scanlens: .*none: detector not found\n$/);
  const few = runCli(['anomaly', 'fit', 'samples/anomaly/normal/normal-01.png', '--out', join(work, 'x')]);
  assert.equal(few.status, 1);
  assert.match(few.stderr, /need at least 5 normal scans/);
  const typo = runCli(['anomaly', 'fit', 'samples/anomaly/normal', '--out', join(work, 'z'), '--layers', '/features/features.12/Relu_output_0,relu99']);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /^scanlens: .*model\.json: the model has no tensor 'relu99'\n$/);
  const huge = runCli(['anomaly', 'fit', 'samples/anomaly/normal', '--out', join(work, 'y'), '--channels', '144', '--grid', '128x128']);
  assert.equal(huge.status, 1);
  assert.match(huge.stderr, /padim with 144 channels on a 128×128 grid needs \d+\.\d GB; use fewer --channels or a coarser --grid/);
  assert.equal(runCli(['anomaly', 'score', 'samples/anomaly/normal']).status, 1);
  // A volume is not silently reduced to its first stored slice: its row says which slice it scored (see anomalySlice.test.ts).
  const volume = runCli(['anomaly', 'score', 'test/fixtures/nifti/four-d.nii.gz', '--detector', DEMO, '--json']);
  assert.equal(volume.status, 0, volume.stderr);
  const { slice } = JSON.parse(volume.stdout).results[0];
  assert.equal(slice.axis, 'axial');
  assert.equal(slice.index, Math.floor(slice.count / 2));
});
