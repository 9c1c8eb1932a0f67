import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { SLICE_AXES, reslicedGeometry, reslicedSlice, resliceScan } from '../../../src/core/scan/reslice';
import { sliceImage } from '../../../src/core/scan/scan';
import { fixture } from '../../helpers/paths';

// ras-grid.nii: identity affine (RAS+), value = 100·x + 10·y + z over x<6, y<7, z<8.
const value = (x: number, y: number, z: number): number => 100 * x + 10 * y + z;

test('axial slices run inferior→superior, anterior at the top, patient right on the left', async () => {
  const scan = resliceScan(await loadScan(fixture('nifti', 'ras-grid.nii')), 'axial');
  assert.deepEqual(scan.shape, [8, 7, 6]);
  const at = (s: number, r: number, c: number): number => scan.voxels[(s * 7 + r) * 6 + c]!;
  assert.equal(at(0, 0, 0), value(5, 6, 0));
  assert.equal(at(3, 2, 1), value(4, 4, 3));
});

test('coronal and sagittal slices: superior at the top; sagittal face to the left', async () => {
  const source = await loadScan(fixture('nifti', 'ras-grid.nii'));
  const coronal = resliceScan(source, 'coronal');
  assert.deepEqual(coronal.shape, [7, 8, 6]);
  assert.equal(coronal.voxels[(2 * 8 + 1) * 6 + 0], value(5, 2, 6));
  const sagittal = resliceScan(source, 'sagittal');
  assert.deepEqual(sagittal.shape, [6, 8, 7]);
  assert.equal(sagittal.voxels[(4 * 8 + 0) * 7 + 0], value(4, 6, 7));
  // The new affine still maps each voxel to the same world point.
  const a = sagittal.affine!;
  const world = [0, 1, 2].map((r) => a[r]![0]! * 0 + a[r]![1]! * 0 + a[r]![2]! * 4 + a[r]![3]!);
  assert.deepEqual(world, [4, 6, 7]);
});

test('the geometry of every cut matches the cut itself, without copying the volume', async () => {
  const source = await loadScan(fixture('nifti', 'ras-grid.nii'));
  for (const axis of SLICE_AXES) {
    const cut = resliceScan(source, axis);
    const geometry = reslicedGeometry(source, axis);
    assert.deepEqual(geometry.shape, cut.shape, axis);
    assert.deepEqual(geometry.spacing, cut.spacing, axis);
    assert.deepEqual(geometry.affine, cut.affine, axis);
  }
  assert.deepEqual(reslicedGeometry(source, 'sagittal').shape, [6, 8, 7]);
});

test('one slice cut straight from the volume is the same slice as from the whole cut, for every axis', async () => {
  const source = await loadScan(fixture('nifti', 'ras-grid.nii'));
  for (const axis of SLICE_AXES) {
    const cut = resliceScan(source, axis);
    for (const index of [0, cut.shape[0] - 1]) {
      const slice = reslicedSlice(source, axis, index);
      assert.equal(slice.voxels.constructor, source.voxels.constructor, 'in the stored type');
      assert.deepEqual(sliceImage(slice), sliceImage(cut, index), `${axis} ${index}`);
    }
    assert.throws(() => reslicedSlice(source, axis, cut.shape[0]), /outside/);
  }
  assert.equal(reslicedSlice(source, 'sagittal', 4).voxels[0], value(4, 6, 7));
});
