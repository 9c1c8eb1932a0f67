import assert from 'node:assert/strict';
import { test } from 'node:test';
import { directionLetters, orientationLabels } from '../../src/host/viewer/orientationLabels';
import { resliceScan } from '../../src/core/scan/reslice';
import type { Scan } from '../../src/core/scan/scan';

const identity = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

function volume(affine: number[][]): Scan {
  return {
    path: 'v.nii',
    format: 'nifti',
    shape: [4, 5, 6],
    channels: 1,
    voxels: new Int16Array(4 * 5 * 6),
    bitsPerSample: 16,
    valueRange: { min: -32768, max: 32767 },
    spacing: [1, 1, 1],
    window: { center: 0, width: 100 },
    affine,
    metadata: {},
  };
}

test('directions name the patient side they point to, strongest first', () => {
  assert.equal(directionLetters([1, 0, 0]), 'R');
  assert.equal(directionLetters([-1, 0, 0]), 'L');
  assert.equal(directionLetters([0, 0, -2]), 'I');
  assert.equal(directionLetters([0.6, 0.8, 0]), 'AR');
  assert.equal(directionLetters([0, 0, 0]), '');
});

test('without an affine there are no labels to show', () => {
  assert.deepEqual(orientationLabels(undefined), { left: '', right: '', top: '', bottom: '' });
});

test('radiological display of an RAS volume: R on the left, A on top (axial), S on top (coronal, sagittal)', () => {
  const scan = volume(identity);
  assert.deepEqual(orientationLabels(resliceScan(scan, 'axial').affine), { left: 'R', right: 'L', top: 'A', bottom: 'P' });
  assert.deepEqual(orientationLabels(resliceScan(scan, 'coronal').affine), { left: 'R', right: 'L', top: 'S', bottom: 'I' });
  assert.deepEqual(orientationLabels(resliceScan(scan, 'sagittal').affine), { left: 'A', right: 'P', top: 'S', bottom: 'I' });
});

test('an LPS-stored volume gets the same labels once resliced for display', () => {
  const lps = [
    [-1, 0, 0, 0],
    [0, -1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
  ];
  assert.deepEqual(orientationLabels(resliceScan(volume(lps), 'axial').affine), { left: 'R', right: 'L', top: 'A', bottom: 'P' });
});
