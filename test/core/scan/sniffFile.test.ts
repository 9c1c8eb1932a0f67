import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { sniffFile } from '../../../src/core/scan/sniffFile';
import { fixture } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-sniff-'));

test('formats are recognised from the head of each file: DICOM, NIfTI (plain and gzip), PNG, TIFF', async () => {
  const cases: [string, string][] = [
    [fixture('dicom', 'mr-explicit-le.dcm'), 'dicom'],
    [fixture('dicom', 'mr-implicit-le.dcm'), 'dicom'],
    [fixture('nifti', 'ras-grid.nii'), 'nifti'],
    [fixture('nifti', 'four-d.nii.gz'), 'nifti'],
    [fixture('raster', 'rgb8.png'), 'png'],
    [fixture('raster', 'grey16.tif'), 'tiff'],
  ];
  for (const [file, format] of cases) assert.equal(await sniffFile(file, DEFAULT_LIMITS), format, file);
});

test('a .nii.gz whose gzip header alone is longer than the head read is still found to be NIfTI', async () => {
  const gz = gzipSync(readFileSync(fixture('nifti', 'ras-grid.nii')));
  // FNAME flag plus a 100 KB file name: the NIfTI bytes start far past the head read.
  const header = Buffer.from(gz.subarray(0, 10));
  header[3] = header[3]! | 0x08;
  const file = join(tmp, 'long-name.nii.gz');
  writeFileSync(file, Buffer.concat([header, Buffer.alloc(100_000, 0x61), Buffer.from([0]), gz.subarray(10)]));
  assert.equal(await sniffFile(file, DEFAULT_LIMITS), 'nifti');
});

test('gzip that is not NIfTI, and text, are no scan format; a missing file is refused naming it', async () => {
  const archive = join(tmp, 'notes.gz');
  writeFileSync(archive, gzipSync(Buffer.alloc(200_000, 'not a scan ')));
  assert.equal(await sniffFile(archive, DEFAULT_LIMITS), undefined);
  const text = join(tmp, 'notes.txt');
  writeFileSync(text, 'hello');
  assert.equal(await sniffFile(text, DEFAULT_LIMITS), undefined);
  const missing = join(tmp, 'missing.dcm');
  await assert.rejects(sniffFile(missing, DEFAULT_LIMITS), { message: `${missing}: no such file` });
});
