import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadScan } from '../../../src/core/scan/loadScan';
import { niftiInt16Header } from '../../helpers/niftiHeader';
import { fixture } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-nifti-'));

/** A NIfTI-1 header for a uint8 volume of the given size, data right after it. */
function header(nx: number, ny: number, nz: number): Buffer {
  const h = Buffer.alloc(352);
  h.writeInt32LE(348, 0);
  h.writeInt16LE(3, 40);
  [nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => h.writeInt16LE(d, 42 + 2 * i));
  h.writeInt16LE(2, 70); // uint8
  h.writeInt16LE(8, 72);
  [1, 1, 1, 1].forEach((p, i) => h.writeFloatLE(p, 76 + 4 * i));
  h.writeFloatLE(352, 108);
  h.write('n+1\0', 344, 'latin1');
  return h;
}

/** gzip members concatenate: many copies of one member inflate to `members` × `memberBytes`. */
function bomb(head: Buffer, members: number, memberBytes: number): Buffer {
  const member = gzipSync(Buffer.alloc(memberBytes), { level: 9 });
  return Buffer.concat([gzipSync(head), ...Array.from({ length: members }, () => member)]);
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

test('a gzip bomb whose header asks for a huge volume is refused before inflating', async () => {
  const file = join(tmp, 'huge.nii.gz');
  writeFileSync(file, bomb(header(2000, 2000, 2000), 200, 10 << 20)); // ~2 GB of zeros behind a 2 MB file
  const before = peakRssMb();
  await assert.rejects(loadScan(file), /huge\.nii\.gz: volume is 2000×2000×2000, over the limit of \d+ voxels/);
  assert.ok(peakRssMb() - before < 200, `peak memory grew by ${peakRssMb() - before} MB`);
});

test('a gzip bomb behind a small honest header inflates only as far as the volume', async () => {
  const file = join(tmp, 'trailing.nii.gz');
  writeFileSync(file, bomb(header(64, 64, 64), 200, 10 << 20));
  const before = peakRssMb();
  const scan = await loadScan(file);
  assert.deepEqual(scan.shape, [64, 64, 64]);
  assert.ok(peakRssMb() - before < 200, `peak memory grew by ${peakRssMb() - before} MB`);
});

test('truncated, damaged and mislabelled NIfTI files give one-line reasons', async () => {
  const whole = readFileSync(fixture('nifti', 'dtype-int16.nii'));
  const cut = join(tmp, 'cut.nii');
  writeFileSync(cut, whole.subarray(0, whole.length - 10));
  await assert.rejects(loadScan(cut), /cut\.nii: image data is truncated: 110 of 120 bytes/);
  const gz = gzipSync(whole);
  const damaged = join(tmp, 'damaged.nii.gz');
  writeFileSync(damaged, gz.subarray(0, gz.length >> 1));
  await assert.rejects(loadScan(damaged), /damaged\.nii\.gz: gzip data is damaged \(unexpected end of file\)/);
  const badDims = Buffer.from(whole);
  badDims.writeInt16LE(-4, 44);
  const neg = join(tmp, 'negative.nii');
  writeFileSync(neg, badDims);
  await assert.rejects(loadScan(neg), /negative\.nii: NIfTI dimensions .* are not all positive/);
  const complex = Buffer.from(whole);
  complex.writeInt16LE(32, 70);
  const cplx = join(tmp, 'complex.nii');
  writeFileSync(cplx, complex);
  await assert.rejects(loadScan(cplx), /complex\.nii: NIfTI datatype complex64 is not supported/);
  const renamed = join(tmp, 'scan.png');
  writeFileSync(renamed, whole);
  assert.equal((await loadScan(renamed)).format, 'nifti');
});

/** An int16 4×4×2 NIfTI-1 file with `edit` applied to its header, plain or gzipped. */
function editedNifti(name: string, edit: (h: Buffer) => void, gz = false): string {
  const h = niftiInt16Header(4, 4, 2);
  edit(h);
  const bytes = Buffer.concat([h, Buffer.alloc(4 * 4 * 2 * 2, 1)]);
  const file = join(tmp, `${name}.nii${gz ? '.gz' : ''}`);
  writeFileSync(file, gz ? gzipSync(bytes) : bytes);
  return file;
}

const sform = (rows: number[]) => (h: Buffer) => {
  h.writeInt16LE(1, 254);
  rows.forEach((v, i) => h.writeFloatLE(v, 280 + 4 * i));
};

test('NaN and degenerate affines are one-line errors naming the file and the header field, not engine errors', async () => {
  const cases: [string, (h: Buffer) => void, RegExp][] = [
    ['nan-sform', sform([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, Number.NaN, 0]), /NIfTI affine from the sform \(srow_x\/y\/z\) has non-finite values \(NaN or infinity\)$/],
    ['inf-offset-sform', sform([1, 0, 0, Number.POSITIVE_INFINITY, 0, 1, 0, 0, 0, 0, 1, 0]), /sform .* has non-finite values/],
    ['zero-sform', sform(Array(12).fill(0)), /NIfTI affine from the sform \(srow_x\/y\/z\) is degenerate: voxel axis i has zero length$/],
    ['coplanar-sform', sform([1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), /sform .* is degenerate: its voxel axes lie in one plane/],
    [
      'nan-quatern',
      (h) => {
        h.writeInt16LE(1, 252);
        h.writeFloatLE(Number.NaN, 256);
      },
      /NIfTI affine from the qform \(quatern_b\/c\/d, qoffset, pixdim\) has non-finite values/,
    ],
    [
      'nan-pixdim-qform',
      (h) => {
        h.writeInt16LE(1, 252);
        h.writeFloatLE(Number.NaN, 80);
      },
      /qform .* has non-finite values/,
    ],
  ];
  for (const [name, edit, reason] of cases) {
    const file = editedNifti(name, edit);
    await assert.rejects(loadScan(file), (error: Error) => {
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.match(error.message, reason);
      assert.ok(!error.message.includes('\n'));
      return true;
    });
  }
});

test('a NaN or infinite vox_offset is a one-line error naming the file, plain and gzipped; a fractional one is truncated as nibabel does', async () => {
  for (const gz of [false, true]) {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const file = editedNifti(`vox-${value}`, (h) => h.writeFloatLE(value, 108), gz);
      await assert.rejects(loadScan(file), (error: Error) => {
        assert.equal(error.message, `${file}: NIfTI vox_offset is ${value}; expected the byte offset of the image data`);
        return true;
      });
    }
    const fractional = await loadScan(editedNifti('vox-fraction', (h) => h.writeFloatLE(352.5, 108), gz));
    assert.deepEqual(fractional.shape, [2, 4, 4]);
  }
});
