import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../src/core/io/csv';
import { apsSet } from '../../src/core/train/conformal';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { writeLabelledVariants } from '../helpers/labelledVariants';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-conformal-'));

interface Row {
  file: string;
  labels: string[];
  probabilities: number[];
  predictionSet?: string[];
}

test('train --conformal stores APS sets in the model; classify then gives every image its set, the same in text, JSON, JSONL, CSV and the notebook', async () => {
  // Label noise in training and validation, so the probe makes mistakes and sets are not all of one class.
  await writeLabelledVariants(join(work, 'train'), 10, 21, 5);
  await writeLabelledVariants(join(work, 'val'), 8, 22, 4);
  await writeLabelledVariants(join(work, 'test'), 3, 23);
  const trained = runCli(['train', join(work, 'train'), '--val', join(work, 'val'), '--conformal', '0.1', '--out', join(work, 'probe')]);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stdout, /conformal sets \(APS, alpha 0\.1\): threshold 0\.\d+ on 32 validation scans/);
  const manifestPath = join(work, 'probe', 'model.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { output: { conformal?: { method: string; alpha: number; threshold: number; scans: number } } };
  const conformal = manifest.output.conformal!;
  assert.deepEqual([conformal.method, conformal.alpha, conformal.scans], ['aps', 0.1, 32]);
  assert.match(readFileSync(join(work, 'probe', 'MODEL_CARD.md'), 'utf8'), /Conformal prediction sets \(APS, alpha = 0\.1\)/);

  const files = ['glioma', 'meningioma', 'notumor', 'pituitary'].map((c) => join(work, 'test', c));
  const csvPath = join(work, 'out.csv');
  const jsonlPath = join(work, 'out.jsonl');
  const json = runCli(['classify', ...files, '--model', manifestPath, '--json', '--csv', csvPath, '--jsonl', jsonlPath]);
  assert.equal(json.status, 0, json.stderr);
  const rows = (JSON.parse(json.stdout) as { results: Row[] }).results;
  assert.equal(rows.length, 12);
  for (const row of rows) {
    const expected = apsSet(row.probabilities, conformal.threshold).map((c) => row.labels[c]);
    assert.deepEqual(row.predictionSet, expected, `${row.file}: the set is the model's most probable classes up to the threshold`);
  }
  assert.ok(
    rows.some((r) => r.predictionSet!.length > 1),
    'some scan should be uncertain enough for a set of more than one class',
  );

  const jsonl = readFileSync(jsonlPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  assert.deepEqual(
    jsonl.map((r) => r.predictionSet),
    rows.map((r) => r.predictionSet),
  );
  const [header, ...records] = parseCsv(readFileSync(csvPath, 'utf8').trim());
  const column = header!.indexOf('prediction_set');
  assert.ok(column > 0, 'the CSV has a prediction_set column');
  assert.deepEqual(
    records.map((r) => r[column]!.split(';')),
    rows.map((r) => r.predictionSet),
  );

  const text = runCli(['classify', ...files, '--model', manifestPath]);
  for (const row of rows) assert.ok(text.stdout.includes(`set {${row.predictionSet!.join(', ')}}`), `text output shows ${row.file}'s set`);

  const session = new NotebookSession({ baseDir: work, defaultModelPath: manifestPath, threads: 1 });
  const run = await executeCell(session, 'classify test/glioma test/meningioma test/notumor test/pituitary');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = (run.outputs[0] as { data: Record<string, unknown> }).data[SCANLENS_RESULT_MIME] as { rows: Row[] };
  assert.deepEqual(
    result.rows.map((r) => r.predictionSet),
    rows.map((r) => r.predictionSet),
  );
});

test('train --conformal refuses an alpha outside (0, 1) with one line, and says when the validation scans are too few for the alpha asked', async () => {
  await writeLabelledVariants(join(work, 'small'), 4, 31);
  const bad = runCli(['train', join(work, 'small'), '--conformal', '1.5', '--out', join(work, 'never')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--conformal.*between 0 and 1/);
  const few = runCli(['train', join(work, 'small'), '--conformal', '0.01', '--out', join(work, 'few')]);
  assert.equal(few.status, 0, few.stderr);
  assert.match(few.stdout, /no conformal sets: \d+ validation scans are too few for alpha 0\.01 \(at least 99 are needed\)/);
  const manifest = JSON.parse(readFileSync(join(work, 'few', 'model.json'), 'utf8')) as { output: Record<string, unknown> };
  assert.equal(manifest.output.conformal, undefined);
});
