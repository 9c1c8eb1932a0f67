import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as vscode from 'vscode';
import { sliceImage } from '../../src/core/scan/scan';
import { ViewerDocument } from '../../src/host/viewer/viewerDocument';
import { AXES, SliceDataSchema } from '../../src/protocol/viewerMessages';
import { fixture } from '../helpers/paths';

// ViewerDocument reads only its Uri's path.
const open = (...parts: string[]): Promise<ViewerDocument> => ViewerDocument.open({ fsPath: fixture(...parts) } as vscode.Uri);

test('viewer document: every slice shown before an axis is cut equals the same slice after, on every axis', async () => {
  const document = await open('nifti', 'ras-grid.nii');
  for (const axis of AXES) {
    const depth = document.depth(axis);
    assert.equal(depth, document.axisInfo(axis).depth);
    const early = Array.from({ length: depth }, (_, index) => SliceDataSchema.parse(document.slice(axis, index)));
    const cut = document.along(axis);
    assert.equal(cut.shape[0], depth);
    early.forEach((slice, index) => {
      const expected = sliceImage(cut, index);
      assert.deepEqual({ width: slice.width, height: slice.height, values: slice.values }, { width: expected.width, height: expected.height, values: expected.data }, `${axis} ${index}`);
      assert.deepEqual(SliceDataSchema.parse(document.slice(axis, index)).values, expected.data);
    });
  }
  document.dispose();
});

test('viewer document: a 16-bit slice travels as 16-bit with its rescale, and reads as the same modality values', async () => {
  // scl_slope 0.5, scl_inter -1024.
  const document = await open('nifti', 'scaled-qform.nii.gz');
  for (const axis of AXES) {
    const sent = document.slice(axis, 1);
    assert.ok(sent.values instanceof Int16Array, 'half the bytes of float32');
    assert.deepEqual(sent.rescale, { slope: 0.5, intercept: -1024 });
    assert.deepEqual(SliceDataSchema.parse(sent).values, sliceImage(document.along(axis), 1).data, axis);
  }
  document.dispose();
  const float = await open('nifti', 'dtype-float64.nii');
  assert.ok(float.slice('axial', 0).values instanceof Float32Array, 'other types as float32');
  float.dispose();
});
