import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadSingleSlice } from '../../../src/core/anomaly/prepareSlice';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { sliceImage } from '../../../src/core/scan/scan';
import { chooseSlice, cutSlice } from '../../../src/core/scan/sliceChoice';
import { fixture } from '../../helpers/paths';
import { niftiInt16Header } from '../../helpers/niftiHeader';

const work = mkdtempSync(join(tmpdir(), 'scanlens-prepare-slice-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('a one-slice NIfTI is the slice classify and explain see (display orientation), not its stored order', async () => {
  const [nx, ny] = [5, 3];
  // A ramp with no symmetry: any flip or transpose changes it.
  const voxels = Int16Array.from({ length: nx * ny }, (_, i) => i * i);
  const file = join(work, 'one-slice.nii');
  writeFileSync(file, Buffer.concat([niftiInt16Header(nx, ny, 1), Buffer.from(voxels.buffer)]));
  const scan = await loadScan(file, DEFAULT_LIMITS);
  const shown = cutSlice(scan, chooseSlice(scan));
  assert.notDeepEqual(sliceImage(shown), sliceImage(scan), 'display orientation differs from the stored order here');
  assert.deepEqual(sliceImage(await loadSingleSlice(file)), sliceImage(shown));
});

test('a single image is used as stored; a volume is refused by name, with how to score one of its slices', async () => {
  const image = fixture('raster', 'rgb8.png');
  assert.deepEqual(sliceImage(await loadSingleSlice(image)), sliceImage(await loadScan(image, DEFAULT_LIMITS)));
  await assert.rejects(loadSingleSlice(fixture('nifti', 'ras-grid.nii')), {
    message: `${fixture('nifti', 'ras-grid.nii')}: has 8 axial slices; anomaly scores are per 2D slice (anomaly score --axis/--slice scores one slice of a volume)`,
  });
});
