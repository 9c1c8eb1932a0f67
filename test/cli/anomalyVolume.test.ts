import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { DEMO_DETECTOR, volumeScoreRows, type VolumeScoreRow } from '../helpers/volumeScoreRows';

const work = mkdtempSync(join(tmpdir(), 'scanlens-anomaly-volume-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const volume = join(work, 'volume.nii');
before(() => writeGuardedVolume(volume));

test('anomaly score --volume scores every slice: the profile equals each slice scored alone, the volume score is its highest at the lesion slice, flagged', () => {
  const [row] = volumeScoreRows([volume, '--volume']);
  assert.ok(row && row.profile, JSON.stringify(row));
  assert.equal(row.profile.length, VOLUME_SLICES.length);
  assert.deepEqual(row.slice, { axis: 'axial', index: LESION_SLICE, count: VOLUME_SLICES.length });
  assert.equal(row.score, Math.max(...row.profile));
  assert.equal(row.label, 'anomalous');
  row.profile.forEach((value, k) => {
    const [alone] = volumeScoreRows([volume, '--slice', String(k)]);
    assert.ok(Math.abs(alone!.score - value) <= 1e-9 * Math.max(1, Math.abs(value)), `slice ${k}: ${value} in the profile, ${alone!.score} alone`);
  });
  const text = runCli(['anomaly', 'score', volume, '--volume', '--detector', DEMO_DETECTOR]);
  assert.match(text.stdout, new RegExp(`${VOLUME_SLICES.length} axial slices, highest at slice ${LESION_SLICE}  \\d+\\.\\d{4}  anomalous`));
});

test('anomaly score --volume: a single image is scored as itself; --slice with --volume is one line', () => {
  const image = join(ROOT, 'samples', 'anomaly', 'normal', 'normal-03.png');
  const [row] = volumeScoreRows([image, '--volume']);
  assert.equal(row!.profile, undefined);
  assert.deepEqual(row!.slice, { axis: null, index: 0, count: 1 });
  const both = runCli(['anomaly', 'score', volume, '--volume', '--slice', '1', '--detector', DEMO_DETECTOR]);
  assert.equal(both.status, 1);
  assert.equal(both.stderr.trim(), 'scanlens: --volume scores every slice; leave out --slice');
});

test('the notebook anomaly score line with volume=true gives the CLI its rows: score, slice and profile', async () => {
  const [cli] = volumeScoreRows([volume, '--volume']);
  const session = new NotebookSession({ baseDir: work, defaultModelPath: join(ROOT, 'models', 'brain-mri-demo', 'model.json'), threads: 1 });
  cpSync(DEMO_DETECTOR, join(work, 'detector'), { recursive: true });
  const run = await executeCell(session, 'anomaly score volume.nii detector=detector volume=true');
  assert.ok(run.ok, JSON.stringify(run.outputs));
  const result = (run.outputs[0] as { data: Record<string, unknown> }).data[SCANLENS_RESULT_MIME] as { rows: VolumeScoreRow[] };
  const [row] = result.rows;
  assert.equal(row!.score, cli!.score);
  assert.deepEqual(row!.slice, cli!.slice);
  assert.deepEqual(row!.profile, cli!.profile);
});
