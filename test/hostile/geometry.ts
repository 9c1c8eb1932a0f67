import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { niftiInt16Header } from '../helpers/niftiHeader';
import { PLANES, seriesSlice } from '../helpers/tinyDicom';
import { addGoodSample, GOOD, jsonRows, type HostileCase } from './hostileCase';

/*
 * Geometry a header can lie about (issue 20 item 6): a series whose slices
 * disagree in orientation, NIfTI affines and data offsets that are NaN. Each
 * is refused by name, not stacked or read at a made-up place.
 */

/** An int16 4×4×2 NIfTI-1 file with `edit` applied to its header (test/core/scan/niftiHostile.test.ts's file). */
export function niftiEdited(edit: (header: Buffer) => void): Buffer {
  const header = niftiInt16Header(4, 4, 2);
  edit(header);
  return Buffer.concat([header, Buffer.alloc(4 * 4 * 2 * 2, 1)]);
}

const nanSform = (h: Buffer): void => {
  h.writeInt16LE(1, 254); // sform_code
  [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, Number.NaN, 0].forEach((v, i) => h.writeFloatLE(v, 280 + 4 * i));
};
const nanQform = (h: Buffer): void => {
  h.writeInt16LE(1, 252); // qform_code
  h.writeFloatLE(Number.NaN, 256); // quatern_b
};

const MIXED =
  /slices disagree in orientation under one SeriesInstanceUID \(1 axial, 1 sagittal, 1 coronal\): scans\/mixed-\d\.dcm differs from scans\/mixed-\d\.dcm by more than 0\.01 in ImageOrientationPatient; refusing to stack them into one volume$/;

export const geometryCases: readonly HostileCase[] = [
  {
    name: 'DICOM series mixing axial, sagittal and coronal slices (classify --json)',
    build: (dir) => {
      const scans = join(dir, 'scans');
      mkdirSync(scans);
      const uid = '1.2.826.0.1.3680043.8.498.102';
      (['axial', 'sagittal', 'coronal'] as const).forEach((plane, i) => writeFileSync(join(scans, `mixed-${i}.dcm`), seriesSlice(uid, PLANES[plane], [0, 0, i], i + 1)));
      return { args: ['classify', 'scans', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      // The series is named by its folder, series number and a digest of its UID.
      stderr: [new RegExp(`^scanlens: scans \\[MR series 7 · [0-9a-f]{8}\\]: ${MIXED.source}`)],
      unchanged: [GOOD],
      check: (run) => {
        const failed = jsonRows(run.stdout).filter((r) => r.error !== undefined);
        assert.equal(failed.length, 1, 'one error row for the series');
        assert.match(failed[0]!.error!, MIXED);
        assert.deepEqual(failed[0]!['files'], ['scans/mixed-0.dcm', 'scans/mixed-1.dcm', 'scans/mixed-2.dcm']);
      },
    },
  },
  {
    name: 'NIfTI with a NaN sform and one with a NaN qform (classify --json)',
    build: (dir) => {
      writeFileSync(join(dir, 'nan-sform.nii'), niftiEdited(nanSform));
      writeFileSync(join(dir, 'nan-qform.nii'), niftiEdited(nanQform));
      return { args: ['classify', 'nan-sform.nii', 'nan-qform.nii', addGoodSample(dir), '--json'] };
    },
    expect: {
      exit: 2,
      errors: [
        { file: 'nan-sform.nii', reason: /NIfTI affine from the sform \(srow_x\/y\/z\) has non-finite values \(NaN or infinity\)$/ },
        { file: 'nan-qform.nii', reason: /NIfTI affine from the qform \(quatern_b\/c\/d, qoffset, pixdim\) has non-finite values/ },
      ],
      unchanged: [GOOD],
    },
  },
  {
    name: 'NIfTI with a NaN vox_offset (classify --json)',
    build: (dir) => {
      writeFileSync(
        join(dir, 'nan-offset.nii'),
        niftiEdited((h) => h.writeFloatLE(Number.NaN, 108)),
      );
      return { args: ['classify', 'nan-offset.nii', addGoodSample(dir), '--json'] };
    },
    expect: { exit: 2, errors: [{ file: 'nan-offset.nii', reason: /NIfTI vox_offset is NaN; expected the byte offset of the image data$/ }], unchanged: [GOOD] },
  },
];
