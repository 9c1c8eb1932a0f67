import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput, NotebookOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache; the CLI runs inherit it.
const work = mkdtempSync(join(tmpdir(), 'scanlens-notebook-anomaly-slice-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const MODEL = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
const session = (): NotebookSession => new NotebookSession({ baseDir: work, roots: [work], defaultModelPath: MODEL, threads: 1 });

before(async () => {
  // The notebook's folder holds the volume, a sample image and the demo detector.
  await writeGuardedVolume(join(work, 'volume.nii'));
  copyFileSync(join(ROOT, 'samples', 'anomaly', 'normal', 'normal-01.png'), join(work, 'normal-01.png'));
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), join(work, 'padim'), { recursive: true });
  for (const set of ['normal', 'lesion']) {
    mkdirSync(join(work, set));
    copyFileSync(join(work, 'volume.nii'), join(work, set, 'volume.nii'));
  }
});

type Anomaly = Extract<NotebookResult, { kind: 'anomaly' }>;

function displays(outputs: readonly NotebookOutput[]): DisplayOutput[] {
  return outputs.map((o) => {
    assert.equal(o.kind, 'display', o.kind === 'error' ? o.message : '');
    return o as DisplayOutput;
  });
}

const resultOf = (outputs: readonly NotebookOutput[]): Anomaly => NotebookResultSchema.parse(displays(outputs)[0]!.data[SCANLENS_RESULT_MIME]) as Anomaly;

test('notebook anomaly score axis= slice=: each row says which slice it scored, with the score scanlens anomaly score --axis/--slice gives; maps=true draws that slice', async () => {
  const run = await executeCell(session(), 'anomaly score volume.nii normal-01.png detector=padim axis=coronal slice=70 maps=true');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = resultOf(run.outputs);
  assert.ok(result.subcommand === 'score');
  const [volumeRow, imageRow] = result.rows;
  assert.ok(volumeRow && 'score' in volumeRow && imageRow && 'error' in imageRow);
  assert.deepEqual(volumeRow.slice, { axis: 'coronal', index: 70, count: 128 });
  assert.match(imageRow.error, /normal-01\.png: is a single 2D image: it has no coronal slices$/);
  const cli = runCli(['anomaly', 'score', join(work, 'volume.nii'), '--detector', join(work, 'padim'), '--axis', 'coronal', '--slice', '70', '--maps', join(work, 'maps'), '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const [cliRow] = JSON.parse(cli.stdout).results as { score: number; slice: unknown; map: string }[];
  assert.deepEqual(cliRow!.slice, volumeRow.slice);
  assert.ok(Math.abs(cliRow!.score - volumeRow.score) <= 1e-6, `notebook ${volumeRow.score}, CLI ${cliRow!.score}`);
  assert.ok(cliRow!.map.endsWith('volume-coronal-70-anomaly.png'), cliRow!.map);

  const outputs = displays(run.outputs);
  const text = String(outputs[0]!.data['text/plain']);
  assert.match(text, /^volume\.nii {2}coronal slice 70 of 128 {2}\d+\.\d{4} {2}(normal|anomalous)$/m);
  assert.match(String(outputs[0]!.data['text/markdown']), /\| file \| axis \| slice \| score \|/);
  const map = outputs.find((o) => 'image/png' in o.data)!;
  assert.match(String(map.data['text/plain']), /^volume\.nii coronal slice 70 of 128: anomaly map/);
  assert.deepEqual(Buffer.from(String(map.data['image/png']), 'base64'), readFileSync(cliRow!.map));
});

test('notebook anomaly score on images only keeps its table; a volume without slice= is its middle axial slice; eval takes axis= and slice=', async () => {
  const s = session();
  const images = await executeCell(s, 'anomaly score normal-01.png detector=padim');
  assert.ok(images.ok);
  const imageResult = resultOf(images.outputs);
  assert.ok(imageResult.subcommand === 'score');
  assert.deepEqual((imageResult.rows[0] as { slice?: unknown }).slice, { axis: null, index: 0, count: 1 });
  assert.match(String(displays(images.outputs)[0]!.data['text/markdown']), /\| file \| score \| threshold \| verdict \| error \|/);

  const middle = resultOf((await executeCell(s, 'anomaly score volume.nii detector=padim')).outputs);
  assert.ok(middle.subcommand === 'score');
  assert.deepEqual((middle.rows[0] as { slice?: unknown }).slice, { axis: 'axial', index: Math.floor(VOLUME_SLICES.length / 2), count: VOLUME_SLICES.length });

  const evaluated = await executeCell(s, `anomaly eval normal lesion detector=padim axis=axial slice=${LESION_SLICE}`);
  assert.ok(evaluated.ok, JSON.stringify(evaluated.outputs));
  const result = resultOf(evaluated.outputs);
  assert.ok(result.subcommand === 'eval');
  for (const row of [...result.normal, ...result.anomalous]) {
    assert.ok('score' in row);
    assert.deepEqual(row.slice, { axis: 'axial', index: LESION_SLICE, count: VOLUME_SLICES.length });
    assert.equal(row.label, 'anomalous', 'the lesion slice');
  }
});
