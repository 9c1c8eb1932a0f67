import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDicomSeries, orderedSeriesFiles } from '../../../src/core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

const folder = fixture('dicom', 'series');

test("a series' files in the order the volume stacks them: slice k of the volume is file k, whatever order they are given in", async () => {
  // Positions z = 10, -5, 2.5 for slice-0..2: the volume runs slice-1, slice-2, slice-0.
  const given = ['slice-0.dcm', 'slice-2.dcm', 'slice-1.dcm'].map((f) => join(folder, f));
  const ordered = await orderedSeriesFiles(folder, given, DEFAULT_LIMITS);
  assert.deepEqual(
    ordered.map((f) => f.slice(folder.length + 1)),
    ['slice-1.dcm', 'slice-2.dcm', 'slice-0.dcm'],
  );
  const volume = await loadDicomSeries(folder, given, DEFAULT_LIMITS);
  for (const [k, file] of ordered.entries()) {
    const slice = await loadScan(file);
    assert.deepEqual(Array.from(volume.voxels.subarray(k * slice.voxels.length, (k + 1) * slice.voxels.length)), Array.from(slice.voxels), `slice ${k} is ${file}`);
  }
});

test('a series the volume would refuse (one position twice) is refused the same way', async () => {
  const twice = ['slice-0.dcm', 'slice-0.dcm'].map((f) => join(folder, f));
  await assert.rejects(orderedSeriesFiles(folder, twice, DEFAULT_LIMITS), (error: Error) => error.message.startsWith(`${folder}: slices `) && error.message.includes('lie at the same position'));
});
