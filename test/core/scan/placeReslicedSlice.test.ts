import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { SLICE_AXES, placeReslicedSlice, reslicedSlice, resliceScan } from '../../../src/core/scan/reslice';
import type { Scan } from '../../../src/core/scan/scan';
import { fixture } from '../../helpers/paths';

/** An empty one-channel float32 scan with `scan`'s geometry. */
const emptyLike = (scan: Scan): Scan => ({ ...scan, channels: 1, voxels: new Float32Array(scan.voxels.length).fill(Number.NaN) });

async function scans(): Promise<Scan[]> {
  const ras = await loadScan(fixture('nifti', 'ras-grid.nii'));
  // Stored x→S, y→L, z→P, turned 10 and 8 degrees, anisotropic: every axis of the cut is permuted or flipped.
  const oblique = await loadScan(fixture('volume3d', 'alignment', 'volume.nii.gz'));
  const { affine: _none, ...stored } = ras;
  return [ras, oblique, { ...stored, path: 'no-orientation' }];
}

test('placing every slice of a cut back reproduces the stored voxels, for every axis and orientation (the inverse of the reslice)', async () => {
  for (const scan of await scans()) {
    assert.equal(scan.channels, 1);
    for (const axis of SLICE_AXES) {
      const cut = resliceScan(scan, axis);
      const placed = emptyLike(scan);
      const plane = cut.shape[1] * cut.shape[2];
      for (let k = 0; k < cut.shape[0]; k++) placeReslicedSlice(placed, axis, k, Float32Array.from(cut.voxels.subarray(k * plane, (k + 1) * plane), Number));
      assert.deepEqual(Array.from(placed.voxels), Array.from(scan.voxels, Number), `${scan.path} ${axis}`);
    }
  }
});

test('one placed slice is what reslicedSlice cuts there again, and touches nothing else', async () => {
  const [, oblique] = await scans();
  const placed = emptyLike(oblique!);
  const cut = reslicedSlice(placed, 'coronal', 5);
  const plane = Float32Array.from({ length: cut.voxels.length }, (_, i) => i + 1);
  placeReslicedSlice(placed, 'coronal', 5, plane);
  assert.deepEqual(Array.from(reslicedSlice(placed, 'coronal', 5).voxels), Array.from(plane));
  assert.equal(Array.from(placed.voxels).filter((v) => !Number.isNaN(v)).length, plane.length);
  assert.throws(() => placeReslicedSlice(placed, 'coronal', resliceScan(oblique!, 'coronal').shape[0], plane), /outside/);
  assert.throws(() => placeReslicedSlice(placed, 'coronal', 0, plane.subarray(1)), /values/);
});
