import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput, NotebookOutput } from '../../src/notebook/outputs/notebookOutput';
import { parseCell } from '../../src/notebook/parser/parseCell';
import { NotebookResultSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache; the CLI runs inherit it.
const work = mkdtempSync(join(tmpdir(), 'scanlens-notebook-anomaly-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const SAMPLES = join(ROOT, 'samples');
const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
// The work folder stands in for a workspace folder: the detector is written there.
const session = (dryRun = false): NotebookSession => new NotebookSession({ baseDir: SAMPLES, roots: [work], defaultModelPath: MODEL, threads: 1, dryRun });

type Anomaly = Extract<NotebookResult, { kind: 'anomaly' }>;
type Scored = { file: string; score: number; threshold: number; label: string };

function displays(outputs: readonly NotebookOutput[]): DisplayOutput[] {
  return outputs.map((o) => {
    assert.equal(o.kind, 'display', o.kind === 'error' ? o.message : '');
    return o as DisplayOutput;
  });
}

function anomalyResults(outputs: readonly NotebookOutput[]): Anomaly[] {
  return displays(outputs)
    .flatMap((o) => (SCANLENS_RESULT_MIME in o.data ? [NotebookResultSchema.parse(o.data[SCANLENS_RESULT_MIME])] : []))
    .map((r) => {
      assert.equal(r.kind, 'anomaly');
      return r as Anomaly;
    });
}

const scoresByFile = (rows: readonly Record<string, unknown>[], prefix = ''): Map<string, number> =>
  new Map(rows.flatMap((r) => (typeof r['score'] === 'number' ? [[prefix + String(r['file']), r['score']] as [string, number]] : [])));

function assertSameScores(notebook: Map<string, number>, cli: Map<string, number>, what: string): void {
  assert.deepEqual([...notebook.keys()].sort(), [...cli.keys()].sort(), `${what}: the same files`);
  for (const [file, score] of notebook) assert.ok(Math.abs(score - cli.get(file)!) <= 1e-6, `${what} ${file}: notebook ${score}, CLI ${cli.get(file)}`);
}

test('notebook anomaly fit → score → eval give the scores and metrics of scanlens anomaly score/eval --json', async () => {
  const detector = join(work, 'detector');
  const broken = join(work, 'broken.png');
  writeFileSync(broken, 'not a png');
  const s = session();
  const fitRun = await executeCell(s, `anomaly fit anomaly/normal out="${detector}"`);
  assert.ok(fitRun.ok, JSON.stringify(fitRun.outputs));
  const [fitted] = anomalyResults(fitRun.outputs);
  assert.ok(fitted?.subcommand === 'fit');
  assert.equal(fitted.training.images, 16);
  assert.equal(fitted.calibrationScores.length, 4);
  assert.ok(existsSync(join(detector, 'detector.json')), 'out= wrote the detector folder');
  assert.ok(fitted.detector.path?.endsWith('/detector'), String(fitted.detector.path));

  // The same fit from the command line on the same backbone (a notebook's is its current model): the same detector, to the calibration scores.
  const cliFit = runCli(['anomaly', 'fit', 'samples/anomaly/normal', '--out', join(work, 'cli-detector'), '--backbone', 'models/brain-mri-demo', '--json']);
  assert.equal(cliFit.status, 0, cliFit.stderr);
  assert.deepEqual(JSON.parse(cliFit.stdout).calibrationScores, fitted.calibrationScores);
  assert.equal(JSON.parse(cliFit.stdout).manifest.threshold.value, fitted.threshold.value);

  const scoreRun = await executeCell(s, `anomaly score anomaly/normal anomaly/lesion anomaly/nowhere.png "${broken}" detector="${detector}" maps=true`);
  assert.ok(scoreRun.ok, JSON.stringify(scoreRun.outputs));
  const [scored] = anomalyResults(scoreRun.outputs);
  assert.ok(scored?.subcommand === 'score');
  assert.equal(scored.rows.length, 42);
  const errors = scored.rows.filter((r) => 'error' in r);
  assert.equal(errors.length, 2, 'a missing and a broken file are error rows; the 40 scans are scored');
  assert.match(JSON.stringify(errors), /nowhere\.png: no such file or folder/);
  assert.match(JSON.stringify(errors), /broken\.png/);
  const cliScore = runCli(['anomaly', 'score', 'samples/anomaly/normal', 'samples/anomaly/lesion', '--detector', detector, '--maps', join(work, 'maps'), '--json']);
  assert.equal(cliScore.status, 0, cliScore.stderr);
  const cliRows = JSON.parse(cliScore.stdout).results as (Scored & { map: string })[];
  assertSameScores(scoresByFile(scored.rows, 'samples/'), scoresByFile(cliRows), 'score');
  for (const row of scored.rows) if ('score' in row) assert.equal(row.label, row.score >= row.threshold ? 'anomalous' : 'normal');

  // maps=true: one PNG per scanned file, byte for byte the picture --maps writes.
  const outputs = displays(scoreRun.outputs);
  const pngs = outputs.filter((o) => 'image/png' in o.data);
  assert.equal(pngs.length, 40);
  const first = cliRows[0]!;
  const firstPng = pngs.find((o) => String(o.data['text/plain']).startsWith(first.file.replace(/^samples\//, '') + ':'))!;
  assert.deepEqual(Buffer.from(String(firstPng.data['image/png']), 'base64'), readFileSync(first.map));
  // The table, then the histogram by verdict (plotly + SVG that draws), then the maps.
  assert.deepEqual(Object.keys(outputs[0]!.data), [SCANLENS_RESULT_MIME, 'text/markdown', 'text/plain']);
  assert.deepEqual(Object.keys(outputs[1]!.data), ['application/vnd.plotly.v1+json', 'image/svg+xml', 'text/plain']);
  await sharp(Buffer.from(String(outputs[1]!.data['image/svg+xml'])))
    .png()
    .toBuffer();

  const evalRun = await executeCell(s, `anomaly eval anomaly/normal anomaly/lesion detector="${detector}" bins=8`);
  assert.ok(evalRun.ok, JSON.stringify(evalRun.outputs));
  const [evaluated] = anomalyResults(evalRun.outputs);
  assert.ok(evaluated?.subcommand === 'eval');
  const cliEval = runCli(['anomaly', 'eval', 'samples/anomaly/normal', 'samples/anomaly/lesion', '--detector', detector, '--bins', '8', '--json']);
  assert.equal(cliEval.status, 0, cliEval.stderr);
  const doc = JSON.parse(cliEval.stdout);
  assertSameScores(scoresByFile(evaluated.normal, 'samples/'), scoresByFile(doc.results.normal), 'eval normal');
  assertSameScores(scoresByFile(evaluated.anomalous, 'samples/'), scoresByFile(doc.results.anomalous), 'eval anomalous');
  for (const key of ['auroc', 'aupr'] as const) assert.ok(Math.abs(evaluated.metrics[key] - doc.metrics[key]) <= 1e-6, key);
  assert.deepEqual(evaluated.metrics.histogram, doc.metrics.histogram);
  assert.deepEqual(evaluated.metrics.atThreshold, doc.metrics.atThreshold);
  assert.deepEqual(evaluated.roc, doc.roc);
  assert.equal(evaluated.threshold, doc.threshold);
  assert.ok(evaluated.metrics.auroc >= 0.9, `AUROC ${evaluated.metrics.auroc}`);
  // Metrics, histogram of both sets, ROC curve: plotly with SVG copies that draw.
  const [, histogram, roc] = displays(evalRun.outputs);
  assert.equal((histogram!.data['application/vnd.plotly.v1+json'] as { data: { name: string }[] }).data.map((t) => t.name).join(), 'normal,anomalous');
  assert.equal((roc!.data['application/vnd.plotly.v1+json'] as { data: { x: number[] }[] }).data[0]!.x.length, evaluated.roc.fpr.length);
  for (const chart of [histogram!, roc!])
    await sharp(Buffer.from(String(chart.data['image/svg+xml'])))
      .png()
      .toBuffer();

  // The detector fitted above, kept in memory, scores as the saved folder does, to the bit.
  const inMemory = anomalyResults((await executeCell(s, 'anomaly score anomaly/normal anomaly/lesion')).outputs)[0]!;
  assert.ok(inMemory.subcommand === 'score');
  assert.deepEqual(scoresByFile(inMemory.rows), scoresByFile(scored.rows));
  // The score table is what export writes next.
  assert.equal(s.lastTable?.name, 'anomaly score');
});

test('under run --check, fit writes nothing; later lines score against the detector it kept in memory', async () => {
  const detector = join(work, 'dry-detector');
  const run = await executeCell(session(true), `anomaly fit anomaly/normal out="${detector}"\nanomaly score anomaly/lesion/glioma-01.png anomaly/normal/normal-01.png detector="${detector}"`);
  assert.ok(run.ok, JSON.stringify(run.outputs));
  assert.equal(existsSync(detector), false, 'nothing written');
  const [fitted, scored] = anomalyResults(run.outputs);
  assert.ok(fitted?.subcommand === 'fit' && scored?.subcommand === 'score');
  assert.equal(scored.detector.path, fitted.detector.path);
  // The same numbers a real run gives from the saved folder.
  const real = join(work, 'real-detector');
  const saved = await executeCell(session(), `anomaly fit anomaly/normal out="${real}"\nanomaly score anomaly/lesion/glioma-01.png anomaly/normal/normal-01.png detector="${real}"`);
  const [, fromDisk] = anomalyResults(saved.outputs);
  assert.ok(fromDisk?.subcommand === 'score');
  assert.deepEqual(scoresByFile(scored.rows), scoresByFile(fromDisk.rows));
});

test('anomaly fit writes only inside the notebook scope, into a new, empty or detector folder', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'scanlens-anomaly-outside-'));
  try {
    for (const out of [join(outside, 'det'), '../../../../../../..' + join(outside, 'det'), '../models/brain-mri-demo-padim']) {
      const run = await executeCell(session(), `anomaly fit anomaly/normal out="${out}"`);
      assert.equal(run.ok, false, out);
      assert.match((run.outputs.at(-1) as { message: string }).message, /writing outside the notebook's folder and the workspace is not allowed/, out);
    }
    assert.deepEqual(readdirSync(outside), []);
    writeFileSync(join(work, 'notes.txt'), 'mine\n');
    const busy = await executeCell(session(), `anomaly fit anomaly/normal out="${work}"`);
    assert.match((busy.outputs.at(-1) as { message: string }).message, /exists and is not a detector folder/);
    const file = await executeCell(session(), `anomaly fit anomaly/normal out="${join(work, 'notes.txt')}"`);
    assert.match((file.outputs.at(-1) as { message: string }).message, /exists and is not a folder/);
    assert.equal(readFileSync(join(work, 'notes.txt'), 'utf8'), 'mine\n');
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

test('anomaly lines: options by subcommand, checked before anything runs; score without a detector says how to get one', async () => {
  const parsed = parseCell('anomaly fit anomaly/normal detector=d\nanomaly score a.png out=x\nanomaly eval a\nanomaly score a.png threshold=abc\nanomaly fit a grid=0x4');
  assert.ok(!parsed.ok);
  assert.deepEqual(
    parsed.problems.map((p) => p.message),
    [
      "option 'detector' not for anomaly fit; it takes out=, backbone=, method=, layers=, channels=, grid=, seed=, percentile=, sigma=",
      "option 'out' not for anomaly score; it takes detector=, backbone=, threshold=, maps=, axis=, slice=, volume=",
      'expected anomaly eval <normal folder> <anomalous folder>',
      "option 'threshold': expected a number",
      "option 'grid': expected WxH with each side 1…256",
    ],
  );
  const ok = parseCell('anomaly fit n out=d method=patchcore channels=8 grid=4x4 percentile=99.5 sigma=0\nanomaly score a.png threshold=-1.5e1 maps=true');
  assert.ok(ok.ok);
  assert.deepEqual(ok.commands[0]!.options, { out: 'd', method: 'patchcore', channels: 8, grid: { width: 4, height: 4 }, percentile: 99.5, sigma: 0 });
  assert.equal((ok.commands[1]!.options as { threshold: number }).threshold, -15);
  const none = await executeCell(session(), 'anomaly score anomaly/normal/normal-01.png');
  assert.match((none.outputs.at(-1) as { message: string }).message, /no detector: name one with detector=, or fit one first/);
});
