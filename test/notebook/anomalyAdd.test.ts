import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-nb-add-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));
const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
// The first ten normal slices to fit on, the other ten to add.
const normals = readdirSync(join(ROOT, 'samples', 'anomaly', 'normal')).sort();
for (const [folder, names] of [
  ['first', normals.slice(0, 10)],
  ['rest', normals.slice(10)],
] as const) {
  mkdirSync(join(work, folder));
  for (const name of names) cpSync(join(ROOT, 'samples', 'anomaly', 'normal', name), join(work, folder, name));
}
cpSync(join(ROOT, 'samples', 'anomaly', 'lesion'), join(work, 'lesion'), { recursive: true });

const payload = (run: Awaited<ReturnType<typeof executeCell>>) => (run.outputs[0] as { data: Record<string, unknown> }).data[SCANLENS_RESULT_MIME] as Record<string, unknown>;

test('anomaly add in a notebook folds new normals into a saved detector as scanlens anomaly add does, and later lines score against it; under run --check the folder is untouched yet the lines after it score the same', async () => {
  const session = new NotebookSession({ baseDir: work, defaultModelPath: DEMO, threads: 1 });
  const fitted = await executeCell(session, 'anomaly fit first out=det');
  assert.ok(fitted.ok, JSON.stringify(fitted.outputs));
  cpSync(join(work, 'det'), join(work, 'cli-det'), { recursive: true });
  cpSync(join(work, 'det'), join(work, 'checked-det'), { recursive: true });

  const run = await executeCell(session, 'anomaly add rest detector=det');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = payload(run) as { added: number; images: number; previous: { images: number }; detector: { threshold: number }; written: boolean };
  assert.equal(result.written, true);
  assert.deepEqual([result.previous.images, result.images], [8, 16], 'every fifth scan held out, as fitting does');
  const cli = runCli(['anomaly', 'add', join(work, 'cli-det'), join(work, 'rest'), '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = JSON.parse(cli.stdout) as { manifest: { threshold: { value: number }; training: { images: number } } };
  assert.equal(result.detector.threshold, fromCli.manifest.threshold.value);
  const stored = JSON.parse(readFileSync(join(work, 'det', 'detector.json'), 'utf8')) as { threshold: { value: number } };
  assert.equal(stored.threshold.value, result.detector.threshold);
  const scored = (payload(await executeCell(session, 'anomaly score lesion detector=det')) as { rows: { score: number; threshold: number }[] }).rows;

  const before = readFileSync(join(work, 'checked-det', 'detector.json'));
  const checking = new NotebookSession({ baseDir: work, defaultModelPath: DEMO, threads: 1, dryRun: true });
  const checked = await executeCell(checking, 'anomaly add rest detector=checked-det');
  assert.ok(checked.ok, JSON.stringify(checked.outputs));
  assert.equal((payload(checked) as { written: boolean }).written, false);
  assert.ok(readFileSync(join(work, 'checked-det', 'detector.json')).equals(before), 'run --check changed the detector');
  const checkedScores = (payload(await executeCell(checking, 'anomaly score lesion detector=checked-det')) as { rows: { score: number; threshold: number }[] }).rows;
  assert.deepEqual(
    checkedScores.map((r) => [r.score, r.threshold]),
    scored.map((r) => [r.score, r.threshold]),
  );
});
