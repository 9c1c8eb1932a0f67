import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

const work = mkdtempSync(join(tmpdir(), 'scanlens-nb-threshold-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));
cpSync(join(ROOT, 'samples', 'anomaly'), join(work, 'anomaly'), { recursive: true });
const DEMO = join(ROOT, 'models', 'brain-mri-demo', 'model.json');

function detectorCopy(name: string): string {
  cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), join(work, name), { recursive: true });
  return join(work, name);
}

const stored = (folder: string): number => (JSON.parse(readFileSync(join(folder, 'detector.json'), 'utf8')) as { threshold: { value: number } }).threshold.value;
const payload = (run: Awaited<ReturnType<typeof executeCell>>, k = 0) => (run.outputs[k] as { data: Record<string, unknown> }).data[SCANLENS_RESULT_MIME] as Record<string, unknown>;

test('anomaly threshold in a notebook chooses the threshold the CLI chooses on the same scans and stores it; the next score line uses it', async () => {
  const cliCopy = detectorCopy('cli-detector');
  const cli = runCli(['anomaly', 'threshold', cliCopy, '--normal', join(work, 'anomaly', 'normal'), '--anomalous', join(work, 'anomaly', 'lesion'), '--fpr', '0.05', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = (JSON.parse(cli.stdout) as { threshold: { value: number } }).threshold.value;

  const folder = detectorCopy('detector');
  const session = new NotebookSession({ baseDir: work, defaultModelPath: DEMO, threads: 1 });
  const run = await executeCell(session, 'anomaly threshold anomaly/normal anomaly/lesion detector=detector fpr=0.05');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = payload(run) as { previous: number; detector: { threshold: number }; written: boolean; chosen: { rule: string; fpr: number } };
  assert.equal(result.detector.threshold, fromCli);
  assert.equal(result.written, true);
  assert.deepEqual([result.chosen.rule, result.chosen.fpr], ['fpr', 0.05]);
  assert.equal(stored(folder), fromCli, 'detector.json holds the new threshold');
  const scored = await executeCell(session, 'anomaly score anomaly/lesion detector=detector');
  assert.ok(scored.ok, JSON.stringify(scored.outputs));
  const rows = (payload(scored) as { rows: { threshold: number }[] }).rows;
  assert.ok(rows.length > 0 && rows.every((r) => r.threshold === fromCli), 'scored against the new threshold');
});

test('under scanlens run --check the threshold line writes nothing, yet the lines after it score against the threshold it chose; no rule or both rules is one line', async () => {
  const folder = detectorCopy('checked');
  const before = readFileSync(join(folder, 'detector.json'));
  const session = new NotebookSession({ baseDir: work, defaultModelPath: DEMO, threads: 1, dryRun: true });
  const run = await executeCell(session, 'anomaly threshold anomaly/normal anomaly/lesion detector=checked best=f1');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = payload(run) as { detector: { threshold: number }; written: boolean };
  assert.equal(result.written, false);
  assert.ok(readFileSync(join(folder, 'detector.json')).equals(before), 'run --check changed the detector');
  const scored = await executeCell(session, 'anomaly score anomaly/lesion detector=checked');
  assert.ok((payload(scored) as { rows: { threshold: number }[] }).rows.every((r) => r.threshold === result.detector.threshold));

  const neither = await executeCell(session, 'anomaly threshold anomaly/normal detector=checked');
  assert.equal(neither.ok, false);
  assert.match(JSON.stringify(neither.outputs), /needs one rule: fpr=F .* or best=f1/);
  const f1Alone = await executeCell(session, 'anomaly threshold anomaly/normal detector=checked best=f1');
  assert.match(JSON.stringify(f1Alone.outputs), /best=f1 needs anomalous scans/);
});
