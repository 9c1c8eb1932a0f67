import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../helpers/runCli';
import { PLANES, seriesSlice } from '../helpers/tinyDicom';

/*
 * Issue 20 item 6: a series whose slices disagree in orientation is an error
 * on its own row, named and explained; the other series in the folder still
 * classify.
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-geometry-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('classify: a series mixing axial, sagittal and coronal slices is one error row naming the planes; the good series beside it classifies', () => {
  const folder = join(work, 'scans');
  mkdirSync(folder);
  const good = '1.2.826.0.1.3680043.8.498.101';
  const mixed = '1.2.826.0.1.3680043.8.498.102';
  [0, 1, 2].forEach((z, i) => writeFileSync(join(folder, `good-${i}.dcm`), seriesSlice(good, PLANES.axial, [0, 0, z], i + 1)));
  (['axial', 'sagittal', 'coronal'] as const).forEach((plane, i) => writeFileSync(join(folder, `mixed-${i}.dcm`), seriesSlice(mixed, PLANES[plane], [0, 0, i], i + 1)));
  const result = runCli(['classify', folder, '--json'], work);
  assert.equal(result.status, 2, result.stderr);
  const rows = (JSON.parse(result.stdout) as { results: { file: string; kind?: string; error?: string }[] }).results;
  assert.equal(rows.length, 2, JSON.stringify(rows));
  const failed = rows.filter((r) => r.error);
  assert.equal(failed.length, 1, JSON.stringify(rows));
  assert.match(failed[0]!.error!, /slices disagree in orientation under one SeriesInstanceUID \(1 axial, 1 sagittal, 1 coronal\): .*mixed-\d\.dcm differs from .*mixed-\d\.dcm/);
  assert.ok(!failed[0]!.error!.includes('\n'));
  const ok = rows.find((r) => !r.error)!;
  assert.equal(ok.kind, 'series');
  assert.notEqual(ok.file, failed[0]!.file);
});
