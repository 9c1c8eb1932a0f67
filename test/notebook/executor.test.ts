import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput, NotebookOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, ProvenanceSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';

const SAMPLES = join(ROOT, 'samples');
const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const session = (): NotebookSession => new NotebookSession({ baseDir: SAMPLES, defaultModelPath: MODEL, threads: 1 });
const scratch = mkdtemp(join(tmpdir(), 'scanlens-executor-'));
after(async () => rm(await scratch, { recursive: true, force: true }));

function displays(outputs: readonly NotebookOutput[]): DisplayOutput[] {
  return outputs.map((o) => {
    assert.equal(o.kind, 'display', o.kind === 'error' ? o.message : '');
    return o as DisplayOutput;
  });
}

function resultOf<K extends NotebookResult['kind']>(output: DisplayOutput, kind: K): Extract<NotebookResult, { kind: K }> {
  const result = NotebookResultSchema.parse(output.data[SCANLENS_RESULT_MIME]);
  assert.equal(result.kind, kind);
  return result as Extract<NotebookResult, { kind: K }>;
}

test('classify over a glob: one row per sample, relative paths, mime types richest first, provenance', async () => {
  const progress: number[] = [];
  const run = await executeCell(session(), 'classify *.png batch=5', { onProgress: (p) => progress.push(p.done) });
  assert.ok(run.ok);
  const [table, chart] = displays(run.outputs);
  assert.deepEqual(Object.keys(table!.data), [SCANLENS_RESULT_MIME, 'text/markdown', 'text/plain']);
  assert.deepEqual(Object.keys(chart!.data), ['application/vnd.plotly.v1+json', 'image/svg+xml', 'text/plain']);
  // The static chart is well-formed SVG: librsvg (inside sharp) draws it.
  const drawn = await sharp(Buffer.from(String(chart!.data['image/svg+xml'])))
    .png()
    .toBuffer({ resolveWithObject: true });
  assert.deepEqual([drawn.info.width, drawn.info.height], [680, 320]);
  const result = resultOf(table!, 'classify');
  assert.equal(result.rows.length, 12);
  assert.equal(result.rows[0]!.file, 'glioma-01.png');
  for (const row of result.rows) {
    assert.ok(!('error' in row) && !('peaks' in row));
    assert.ok(Math.abs(row.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    // The demo model gets every sample right; the file name says the class.
    assert.equal(row.top.label, row.file.split('-')[0]);
  }
  assert.deepEqual(progress.at(-1), 12);
  const prov = ProvenanceSchema.parse(table!.metadata.scanlens);
  assert.equal(prov.command, 'classify *.png batch=5');
  assert.deepEqual(prov.parameters, { args: ['*.png'], options: { batch: 5 } });
  const shipped = JSON.parse(readFileSync(MODEL, 'utf8')) as { sha256: string };
  assert.equal(prov.model!.sha256, shipped.sha256);
  assert.match(String(table!.data['text/markdown']), /^\| file \| prediction \| probability \| p\(glioma\)/);
});

test('evaluate labels.csv: metrics agree with the rows classify gives, and the table is exported', async () => {
  // The scratch folder stands in for a workspace folder: exports may go there.
  const s = new NotebookSession({ baseDir: SAMPLES, roots: [await scratch], defaultModelPath: MODEL, threads: 1 });
  const classified = resultOf(displays((await executeCell(s, 'classify *.png')).outputs)[0]!, 'classify');
  const run = await executeCell(s, 'evaluate labels.csv\nexport "' + join(await scratch, 'eval table.csv') + '"');
  assert.ok(run.ok);
  const outputs = displays(run.outputs);
  const evaluation = resultOf(outputs[0]!, 'evaluate');
  const csv = (await readFile(join(ROOT, 'samples', 'labels.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const predicted = new Map(classified.rows.map((r) => [r.file, 'error' in r ? '' : r.top.label]));
  const correct = csv.filter(([file, label]) => predicted.get(file!) === label).length;
  assert.equal(evaluation.files, csv.length);
  assert.equal(evaluation.accuracy, correct / csv.length);
  assert.equal(
    evaluation.confusion.flat().reduce((a, b) => a + b, 0),
    csv.length,
  );
  for (const c of evaluation.perClass) assert.equal(c.support, csv.filter(([, label]) => label === c.label).length);
  assert.equal(outputs.length, 6, 'summary, confusion, ROC, precision–recall, reliability, export');
  assert.equal((outputs[1]!.data['application/vnd.plotly.v1+json'] as { data: { type: string }[] }).data[0]!.type, 'heatmap');
  for (const chart of outputs.slice(1, 5))
    await sharp(Buffer.from(String(chart.data['image/svg+xml'])))
      .png()
      .toBuffer();
  const exported = resultOf(outputs[5]!, 'export');
  assert.equal(exported.rows, csv.length);
  const written = (await readFile(join(await scratch, 'eval table.csv'), 'utf8')).trim().split('\n');
  assert.equal(written.length, csv.length + 1);
  assert.match(written[0]!, /^file,label,prediction,p\(glioma\),/);
});

test('explain gives a PNG overlay the size of the scan and the raw map', async () => {
  const run = await executeCell(session(), 'explain glioma-01.png method=gradcam class=glioma');
  assert.ok(run.ok);
  const [output] = displays(run.outputs);
  const result = resultOf(output!, 'explain');
  assert.equal(result.class.label, 'glioma');
  assert.equal(result.map.data.length, result.map.width * result.map.height);
  const meta = await sharp(Buffer.from(String(output!.data['image/png']), 'base64')).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 128, 128, 3]);
});

test("explain on a volume: slice= along axis= (the middle axial slice by default), the same slice as volume's, said in the payload and the text", async () => {
  const nifti = new NotebookSession({ baseDir: join(ROOT, 'test', 'fixtures', 'nifti'), defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(nifti, 'volume ras-grid.nii axis=coronal\nexplain ras-grid.nii axis=coronal slice=2\nexplain ras-grid.nii');
  assert.ok(run.ok, run.outputs.map((o) => (o.kind === 'error' ? o.message : '')).join());
  const outputs = displays(run.outputs);
  const volume = resultOf(outputs[0]!, 'volume');
  const [sliced, middle] = outputs.slice(2).map((o) => resultOf(o, 'explain'));
  assert.deepEqual(sliced!.slice, { axis: 'coronal', index: 2, count: volume.slices.length });
  assert.ok(sliced!.probabilities.every((p, i) => Math.abs(p - volume.slices[2]!.probabilities[i]!) <= 1e-6));
  assert.match(String(outputs[2]!.data['text/plain']), /^ras-grid\.nii coronal slice 2 of \d+: gradcam for /);
  assert.deepEqual(middle!.slice, { axis: 'axial', index: 4, count: 8 });
});

test("preprocess shows the model's own pipeline, or with stages= a gallery; info reports statistics without file metadata", async () => {
  const run = await executeCell(session(), 'preprocess notumor-01.png\npreprocess notumor-01.png stages=denoise\ninfo notumor-01.png');
  assert.ok(run.ok);
  const outputs = displays(run.outputs);
  const own = resultOf(outputs[0]!, 'preprocess');
  assert.equal(own.pipeline, 'model');
  assert.deepEqual(
    own.stages.map((s) => s.name),
    ['input', 'model-input'],
  );
  const gallery = outputs.findIndex((o, i) => i > 0 && SCANLENS_RESULT_MIME in o.data);
  const pre = resultOf(outputs[gallery]!, 'preprocess');
  assert.equal(pre.pipeline, 'stages');
  assert.deepEqual(
    pre.stages.map((s) => s.name),
    ['input', 'denoise'],
  );
  assert.equal(outputs.filter((o) => 'image/png' in o.data).length, 4);
  const info = resultOf(outputs.at(-1)!, 'info');
  assert.deepEqual([info.format, info.shape.width, info.bitsPerSample], ['png', 128, 8]);
});

test('a failing line ends the cell with a one-line error naming the line; earlier outputs stay', async () => {
  const run = await executeCell(session(), 'info glioma-01.png\nexplain missing.png\ninfo glioma-02.png');
  assert.ok(!run.ok);
  assert.equal(run.outputs.length, 2);
  const error = run.outputs[1]!;
  assert.equal(error.kind, 'error');
  assert.match(error.kind === 'error' ? error.message : '', /^line 2: explain missing\.png — missing\.png: /);
  assert.doesNotMatch(error.kind === 'error' ? error.message : '', /\n|\/work\/|at /);
});

test('a missing file in classify is an error row; the other files are still classified', async () => {
  const run = await executeCell(session(), 'classify nothere.png glioma-01.png');
  assert.ok(run.ok);
  const result = resultOf(displays(run.outputs)[0]!, 'classify');
  assert.deepEqual(
    result.rows.map((r) => ('error' in r ? `error: ${r.error}` : r.file)),
    ['error: nothere.png: no such file or folder', 'glioma-01.png'],
  );
});

test('a syntax mistake runs nothing; anomaly score without a detector and export-before-table say why they cannot run', async () => {
  const bad = await executeCell(session(), 'info glioma-01.png\nexplain glioma-01.png method=nope');
  assert.equal(bad.outputs.length, 1);
  assert.deepEqual(bad.outputs[0]!.kind === 'error' && [bad.outputs[0]!.name, bad.outputs[0]!.message.split(' — ')[0]], ['SyntaxError', 'line 2: explain glioma-01.png method=nope']);
  const anomaly = await executeCell(session(), 'anomaly score .');
  assert.match(anomaly.outputs[0]!.kind === 'error' ? anomaly.outputs[0]!.message : '', /anomaly score \. — no detector: name one with detector=, or fit one first/);
  const exported = await executeCell(session(), 'export out.csv');
  assert.match(exported.outputs[0]!.kind === 'error' ? exported.outputs[0]!.message : '', /nothing to export yet/);
  // Exporting over something that is not a regular file is refused before any write.
  const s = session();
  const overFolder = await executeCell(s, `classify glioma-01.png\nexport "${await scratch}" format=csv`);
  assert.match(overFolder.outputs.at(-1)!.kind === 'error' ? (overFolder.outputs.at(-1) as { message: string }).message : '', /exists and is not a regular file$/);
});

test('a bad model fails on its own line, and the session keeps the previous model', async () => {
  const s = session();
  const run = await executeCell(s, 'model labels.csv');
  assert.ok(!run.ok);
  assert.match(run.outputs[0]!.kind === 'error' ? run.outputs[0]!.message : '', /^line 1: model labels\.csv — /);
  assert.ok((await executeCell(s, 'classify glioma-01.png')).ok);
});

test('cancellation stops the cell and says so', async () => {
  const controller = new AbortController();
  controller.abort();
  const run = await executeCell(session(), 'classify *.png', { signal: controller.signal });
  assert.ok(run.cancelled);
  assert.equal(run.outputs.at(-1)!.kind, 'error');
});

test('volume: one probability per slice, a profile chart, peaks that are the per-class maxima', async () => {
  const s = new NotebookSession({ baseDir: join(ROOT, 'test', 'fixtures'), defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(s, 'volume nifti/ras-grid.nii axis=sagittal');
  assert.ok(run.ok);
  const [table, chart] = displays(run.outputs);
  const result = resultOf(table!, 'volume');
  assert.equal(result.file, 'nifti/ras-grid.nii');
  assert.equal(result.slices.length, 6);
  for (const [c, peak] of result.peaks.entries()) assert.equal(peak.probability, Math.max(...result.slices.map((x) => x.probabilities[c]!)));
  assert.equal((chart!.data['application/vnd.plotly.v1+json'] as { data: unknown[] }).data.length, result.labels.length);
});

test('info on a DICOM file never shows identifying tags', async () => {
  const s = new NotebookSession({ baseDir: join(ROOT, 'test', 'fixtures'), defaultModelPath: MODEL, threads: 1 });
  const run = await executeCell(s, 'info dicom/mr-explicit-le.dcm');
  assert.ok(run.ok);
  const text = JSON.stringify(run.outputs);
  for (const secret of ['DOE^JANE', 'PAT-12345', '19700101']) assert.ok(!text.includes(secret), `${secret} leaked`);
});
