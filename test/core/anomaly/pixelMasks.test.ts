import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { maskSlice, openMaskFolder } from '../../../src/core/anomaly/pixelMasks';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { SLICE_AXES } from '../../../src/core/scan/reslice';
import { chooseSlice, cutSlice } from '../../../src/core/scan/sliceChoice';

const work = mkdtempSync(join(tmpdir(), 'scanlens-pixel-masks-'));
after(() => rmSync(work, { recursive: true, force: true }));
/** nibabel's small real brain: 33×41×25 big-endian int16, x flipped by its affine. */
const ANATOMICAL = '/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii';

test('a NIfTI mask on its volume grid is cut as the scan is cut, along every axis (display orientation from the same affine)', async () => {
  const bytes = readFileSync(ANATOMICAL);
  const scan = await loadScan(ANATOMICAL, DEFAULT_LIMITS);
  const limit = 9000;
  // The same header; each voxel 1 where the brain is brighter than `limit`, else 0.
  const mask = Buffer.from(bytes);
  for (let at = 352; at + 1 < mask.length; at += 2) mask.writeInt16BE(bytes.readInt16BE(at) > limit ? 1 : 0, at);
  const maskFile = join(work, 'anatomical_mask.nii');
  writeFileSync(maskFile, mask);
  for (const axis of SLICE_AXES) {
    const choice = chooseSlice(scan, { axis, slice: 7 });
    const plane = cutSlice(scan, choice);
    const [, height, width] = plane.shape;
    const expected = Uint8Array.from(plane.voxels, (v) => (v > limit ? 1 : 0));
    assert.ok(expected.some((v) => v === 1) && expected.some((v) => v === 0), axis);
    assert.deepEqual(await maskSlice(maskFile, choice, { width, height }), expected, axis);
  }
  const axial = chooseSlice(scan, { axis: 'axial' });
  await assert.rejects(maskSlice(maskFile, { ...axial, count: axial.count + 1 }, { width: 33, height: 41 }), /mask has 25 axial slices, the scan 26 axial slices: a mask must be on its scan's grid/);
});

test('masks are found by their scan name, with any extension or a _mask/-mask suffix; two for one scan is an error naming both', async () => {
  const folder = join(work, 'masks');
  mkdirSync(folder);
  for (const name of ['case-1.png', 'case-2_mask.png', 'case-3-mask.nii.gz', 'case-4.png', 'case-4.nii', '.hidden.png']) writeFileSync(join(folder, name), '');
  const masks = await openMaskFolder(folder);
  assert.equal(masks.maskFor('/scans/case-1.png'), join(folder, 'case-1.png'));
  assert.equal(masks.maskFor('/scans/case-2.png'), join(folder, 'case-2_mask.png'));
  assert.equal(masks.maskFor('/scans/case-3.nii.gz'), join(folder, 'case-3-mask.nii.gz'));
  assert.equal(masks.maskFor('/scans/case-5.png'), undefined);
  assert.throws(() => masks.maskFor('/scans/case-4.dcm'), /case-4\.dcm: more than one mask in .* matches it \(case-4\.nii, case-4\.png\)/);
  await assert.rejects(openMaskFolder(join(work, 'nowhere')), /nowhere: masks folder not found/);
});
