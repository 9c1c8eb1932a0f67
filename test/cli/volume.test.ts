import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

test('classify a NIfTI volume slice by slice along an axis', () => {
  const result = runCli(['classify', fixture('nifti', 'ras-grid.nii'), '--axis', 'sagittal', '--json']);
  assert.equal(result.status, 0, result.stderr);
  const row = JSON.parse(result.stdout).results[0];
  assert.equal(row.axis, 'sagittal');
  assert.equal(row.slices.length, 6);
  for (const s of row.slices) assert.ok(Math.abs(s.probabilities.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5);
  for (const [c, peak] of row.peaks.entries()) {
    assert.equal(peak.probability, Math.max(...row.slices.map((s: { probabilities: number[] }) => s.probabilities[c]!)));
  }
});

test('classify a DICOM series folder as one volume; the lone other-series file as a file', () => {
  const result = runCli(['classify', fixture('dicom', 'series'), '--json']);
  assert.equal(result.status, 0, result.stderr);
  const results = JSON.parse(result.stdout).results;
  assert.equal(results.length, 2);
  const volume = results.find((r: { slices?: unknown[] }) => r.slices);
  assert.equal(volume.slices.length, 3);
  assert.equal(volume.axis, 'axial');
});

test('a multi-frame DICOM file is one volume, slice by slice, as the extension reads it; a single-frame one stays a file', () => {
  const result = runCli(['classify', fixture('dicom', 'rgb-planar-2frame.dcm'), fixture('dicom', 'mr-explicit-le.dcm'), '--json']);
  assert.equal(result.status, 0, result.stderr);
  const results: { file: string; slices?: unknown[]; axis?: string; top?: { label: string } }[] = JSON.parse(result.stdout).results;
  const frames = results.find((r) => r.file.endsWith('rgb-planar-2frame.dcm'))!;
  const single = results.find((r) => r.file.endsWith('mr-explicit-le.dcm'))!;
  assert.equal(frames.slices?.length, 2);
  assert.equal(frames.axis, 'axial');
  assert.equal(single.slices, undefined);
  assert.ok(single.top?.label);
});

test('info never prints the patient name, ID or birth date unless asked', () => {
  for (const target of [fixture('dicom', 'mr-explicit-le.dcm'), fixture('dicom', 'series')]) {
    for (const args of [['--json'], []]) {
      const result = runCli(['info', target, ...args]);
      assert.equal(result.status, 0, result.stderr);
      for (const secret of ['DOE^JANE', 'PAT-12345', '19700101']) assert.ok(!(result.stdout + result.stderr).includes(secret), `${secret} leaked`);
    }
  }
  const shown = runCli(['info', fixture('dicom', 'mr-explicit-le.dcm'), '--json', '--reveal-phi']);
  const info = JSON.parse(shown.stdout);
  assert.equal(info.metadata.PatientName, 'DOE^JANE');
  assert.equal(info.transferSyntax, 'Explicit VR Little Endian');
  assert.deepEqual(info.rescale, { slope: 2, intercept: -1024 });
});
