import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache.
process.env['SCANLENS_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'scanlens-cli-explain-slice-'));

const NIBABEL = '/usr/lib/python3/dist-packages/nibabel/tests/data';
/** Volumes nobody on the project wrote, where installed, and the repository's own. */
const VOLUMES = [
  fixture('nifti', 'ras-grid.nii'),
  fixture('dicom', 'rgb-planar-2frame.dcm'),
  join(NIBABEL, 'anatomical.nii'),
  join(NIBABEL, 'reoriented_anat_moved.nii'),
  '/usr/share/mricron/templates/jhu189.nii.gz',
].filter((file) => existsSync(file));
const AXES = ['axial', 'coronal', 'sagittal'] as const;

interface SliceRow {
  readonly slice: number;
  readonly probabilities: number[];
}

function classifySlices(file: string, axis: string): SliceRow[] {
  const result = runCli(['classify', file, '--axis', axis, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const row = (JSON.parse(result.stdout) as { results: { axis: string; slices: SliceRow[] }[] }).results[0]!;
  assert.equal(row.axis, axis);
  return row.slices;
}

function explainSlice(file: string, args: readonly string[]): { slice: { axis: string | null; index: number; count: number }; probabilities: number[] } {
  const result = runCli(['explain', file, ...args, '--json']);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const close = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= 1e-6);

for (const file of VOLUMES) {
  test(`explain --axis A --slice k gives classify's probabilities for slice k along each axis: ${file}`, () => {
    for (const axis of AXES) {
      const slices = classifySlices(file, axis);
      const count = slices.length;
      // The first, the last and one in between that is not the default (middle) slice.
      for (const k of [...new Set([0, Math.floor(count / 3), count - 1])]) {
        const explained = explainSlice(file, ['--axis', axis, '--slice', String(k)]);
        assert.deepEqual(explained.slice, { axis, index: k, count });
        assert.ok(close(explained.probabilities, slices[k]!.probabilities), `${axis} slice ${k}: explain ${explained.probabilities} vs classify ${slices[k]!.probabilities}`);
      }
    }
  });
}

test('explain on a volume without --slice uses the middle axial slice and says so', () => {
  const file = fixture('nifti', 'ras-grid.nii');
  const slices = classifySlices(file, 'axial');
  const middle = Math.floor(slices.length / 2);
  const explained = explainSlice(file, []);
  assert.deepEqual(explained.slice, { axis: 'axial', index: middle, count: slices.length });
  assert.ok(close(explained.probabilities, slices[middle]!.probabilities));
  const text = runCli(['explain', file, '--axis', 'coronal']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`ras-grid\\.nii  coronal slice \\d+ of \\d+  gradcam  `));
});

test('a single image is slice 0 of 1, with no axis; another slice or axis of it, or a slice past the end, is one line naming the file', () => {
  const image = explainSlice('samples/glioma-01.png', []);
  assert.deepEqual(image.slice, { axis: null, index: 0, count: 1 });
  const axis = runCli(['explain', 'samples/glioma-01.png', '--axis', 'coronal']);
  assert.equal(axis.status, 2);
  assert.match(axis.stderr, /^scanlens: samples\/glioma-01\.png: is a single 2D image: it has no coronal slices\n$/);
  const past = runCli(['explain', fixture('nifti', 'ras-grid.nii'), '--axis', 'sagittal', '--slice', '99']);
  assert.equal(past.status, 2);
  assert.match(past.stderr, /ras-grid\.nii: slice 99 is outside 0…\d+ \(\d+ sagittal slices\)\n$/);
  const bad = runCli(['explain', 'samples/glioma-01.png', '--slice', '-1']);
  assert.equal(bad.status, 1);
});
