import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { groupSeries, loadSeriesFolder } from '../../../src/core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { resliceScan } from '../../../src/core/scan/reslice';
import { fixture } from '../../helpers/paths';

const folder = fixture('dicom', 'series');
const files = readdirSync(folder).map((f) => join(folder, f));

test('files are grouped by SeriesInstanceUID; a lone file of another series stays single', async () => {
  const { series, single } = await groupSeries(files, DEFAULT_LIMITS);
  assert.equal(series.length, 1);
  assert.deepEqual(series[0]!.files.map((f) => f.split('/').at(-1)).sort(), ['slice-0.dcm', 'slice-1.dcm', 'slice-2.dcm']);
  assert.deepEqual(single.map((f) => f.split('/').at(-1)), ['other-series.dcm']);
});

test('a series folder stacks slices by position along the normal, not by file name', async () => {
  const volume = await loadSeriesFolder(folder, files, DEFAULT_LIMITS);
  assert.deepEqual(volume.shape, [3, 64, 64]);
  // Positions z = 10, -5, 2.5 for slice-0..2: ascending order is slice-1, slice-2, slice-0.
  const order = ['slice-1.dcm', 'slice-2.dcm', 'slice-0.dcm'];
  for (const [i, name] of order.entries()) {
    const slice = await loadScan(join(folder, name));
    assert.deepEqual(Array.from(volume.voxels.subarray(i * 4096, (i + 1) * 4096)), Array.from(slice.voxels), `slice ${i} is ${name}`);
  }
  assert.equal(volume.spacing![0], 7.5);
  assert.equal(volume.metadata.orderedBy, 'ImagePositionPatient');
  assert.equal(volume.metadata.PatientName, '[redacted]');
  const sagittal = resliceScan(volume, 'sagittal');
  assert.deepEqual(sagittal.shape, [64, 3, 64]);
});
