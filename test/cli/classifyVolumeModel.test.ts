import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseModels } from '../../src/core/model/modelCache';
import { rowsFromCsv } from '../../src/core/report/classifyCsv';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { readResultFile } from '../../src/host/results/resultFile';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/** The seeded 3D classifier and oblique volume of scripts/reference/make_3d_reference.py. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'volume3d');
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-volume-model-'));
cpSync(join(FIXTURE, 'volume.nii.gz'), join(work, 'volume.nii.gz'));
cpSync(join(ROOT, 'samples', 'glioma-01.png'), join(work, 'glioma-01.png'));
const MODEL = join(FIXTURE, 'model.json');
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

interface Row {
  kind: string;
  file: string;
  probabilities?: number[];
  error?: string;
  peaks?: unknown;
}

test('a 3D model gives a volume one row, the same in text, JSON, JSON Lines, CSV (also resumed) and a notebook cell; a 2D image is an error row', async () => {
  const files = ['glioma-01.png', 'volume.nii.gz'];
  const json = runCli(['classify', '--model', MODEL, '--json', ...files], work);
  assert.equal(json.status, 2, json.stderr);
  const rows = (JSON.parse(json.stdout) as { results: Row[] }).results;
  assert.deepEqual(
    rows.map((r) => [r.kind, r.file]),
    [
      ['image', 'glioma-01.png'],
      ['volume', 'volume.nii.gz'],
    ],
  );
  assert.match(rows[0]!.error!, /a 3D model \(NCDHW\) takes volumes/);
  const volume = rows[1]!;
  assert.equal(volume.peaks, undefined);
  assert.equal(volume.probabilities!.length, 3);
  const p = volume.probabilities!;

  // The results view reads the same document (a folder classified from VS Code writes it).
  writeFileSync(join(work, 'result.json'), json.stdout);
  const view = await readResultFile(join(work, 'result.json'));
  assert.deepEqual(
    view.rows.map((r) => ('probabilities' in r ? r.probabilities : r.kind)),
    ['image', p],
  );

  const text = runCli(['classify', '--model', MODEL, ...files], work);
  assert.match(text.stdout, new RegExp(`volume\\.nii\\.gz  meningioma ${p[1]!.toFixed(3)}`));

  runCli(['classify', '--model', MODEL, '--jsonl', join(work, 'out.jsonl'), ...files], work);
  const lines = readFileSync(join(work, 'out.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  assert.deepEqual(lines.find((r) => r.file === 'volume.nii.gz')?.probabilities, p);

  runCli(['classify', '--model', MODEL, '--csv', join(work, 'out.csv'), ...files], work);
  const csv = readFileSync(join(work, 'out.csv'), 'utf8');
  assert.match(csv, new RegExp(`^volume\\.nii\\.gz,meningioma,${p[1]},${p[0]},${p[1]},${p[2]},,volume,`, 'm'));
  const back = rowsFromCsv(csv, ['glioma', 'meningioma', 'notumor']).find((r) => r.file === 'volume.nii.gz');
  assert.ok(back && back.kind === 'volume' && 'probabilities' in back, JSON.stringify(back));
  assert.deepEqual(back.probabilities, p);
  // Resuming from that CSV keeps the volume's row rather than classifying it again.
  const resumed = runCli(['classify', '--model', MODEL, '--csv', join(work, 'out.csv'), '--resume', ...files], work);
  assert.equal(readFileSync(join(work, 'out.csv'), 'utf8'), csv, resumed.stderr);

  const session = new NotebookSession({ baseDir: work, defaultModelPath: MODEL, threads: 1 });
  cpSync(FIXTURE, join(work, 'model3d'), { recursive: true });
  const described = await executeCell(session, 'model model3d/model.json');
  assert.match(String((described.outputs[0] as DisplayOutput).data['text/markdown']), /16×24×32×1 \(NCDHW volume\)/);
  const run = await executeCell(session, 'classify glioma-01.png volume.nii.gz');
  const result = NotebookResultSchema.parse((run.outputs[0] as DisplayOutput).data[SCANLENS_RESULT_MIME]);
  assert.ok(result.kind === 'classify');
  const cell = result.rows.find((r) => r.file.endsWith('volume.nii.gz'));
  assert.ok(cell && 'probabilities' in cell);
  assert.deepEqual(cell.probabilities, p);
});
