import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { declaredSlices } from '../../../src/core/scan/declaredSlices';
import { volumeFile } from '../../../src/core/scan/findVolume';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { reslicedSlice } from '../../../src/core/scan/reslice';
import { dicomElement, us } from '../../helpers/dicomElement';
import { fixture } from '../../helpers/paths';
import { niftiInt16Header } from '../../helpers/niftiHeader';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-find-volume-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function copyTo(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

test('whether a file is a volume comes from its header: cut short after it, a file still declares its slices', async () => {
  const twoFrames = readFileSync(fixture('dicom', 'rgb-planar-2frame.dcm'));
  const oneFrame = readFileSync(fixture('dicom', 'mr-explicit-le.dcm'));
  const nifti = readFileSync(fixture('nifti', 'ras-grid.nii'));
  const cut = {
    twoFrames: copyTo('two-frames.dcm', twoFrames.subarray(0, twoFrames.length - 64)),
    oneFrame: copyTo('one-frame.dcm', oneFrame.subarray(0, oneFrame.length - 64)),
    nifti: copyTo('eight-slices.nii', nifti.subarray(0, 360)),
  };
  assert.equal(await declaredSlices(cut.twoFrames, DEFAULT_LIMITS), 2);
  assert.equal(await declaredSlices(cut.oneFrame, DEFAULT_LIMITS), 1);
  assert.equal(await declaredSlices(cut.nifti, DEFAULT_LIMITS), 8);
  // Decoding needs the pixels, so none of these answers came from a decode.
  for (const file of Object.values(cut)) await assert.rejects(loadScan(file, DEFAULT_LIMITS), `${file} decodes`);

  assert.equal(await declaredSlices(fixture('nifti', 'four-d.nii.gz'), DEFAULT_LIMITS), (await loadScan(fixture('nifti', 'four-d.nii.gz'))).shape[0]);
  assert.equal(await declaredSlices(fixture('nifti', 'nifti2.nii.gz'), DEFAULT_LIMITS), (await loadScan(fixture('nifti', 'nifti2.nii.gz'))).shape[0]);
  assert.equal(await declaredSlices(fixture('raster', 'rgb8.png'), DEFAULT_LIMITS), undefined);
  await assert.rejects(declaredSlices(join(tmp, 'missing.dcm'), DEFAULT_LIMITS), { message: `${join(tmp, 'missing.dcm')}: no such file` });
});

/** A NIfTI-1 int16 file of nx×ny×nz voxels (a ramp, so no reader can skip them). */
function writeNifti(name: string, nx: number, ny: number, nz: number): string {
  const header = niftiInt16Header(nx, ny, nz);
  const voxels = new Int16Array(nx * ny * nz).map((_, i) => i % 4096);
  return copyTo(name, Buffer.concat([header, Buffer.from(voxels.buffer)]));
}

/** A DICOM file (explicit VR little endian) with one 16-bit rows×cols frame. */
function writeDicom(name: string, rows: number, cols: number): string {
  const meta = dicomElement(0x0002, 0x0010, 'UI', Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'));
  const pixels = Buffer.from(new Uint16Array(rows * cols).map((_, i) => i % 4096).buffer);
  return copyTo(
    name,
    Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      dicomElement(0x0002, 0x0000, 'UL', Buffer.from(Uint32Array.of(meta.length).buffer)),
      meta,
      dicomElement(0x0028, 0x0002, 'US', us(1)),
      dicomElement(0x0028, 0x0004, 'CS', Buffer.from('MONOCHROME2 ', 'latin1')),
      dicomElement(0x0028, 0x0010, 'US', us(rows)),
      dicomElement(0x0028, 0x0011, 'US', us(cols)),
      dicomElement(0x0028, 0x0100, 'US', us(16)),
      dicomElement(0x0028, 0x0101, 'US', us(12)),
      dicomElement(0x0028, 0x0102, 'US', us(11)),
      dicomElement(0x0028, 0x0103, 'US', us(0)),
      dicomElement(0x7fe0, 0x0010, 'OW', pixels),
    ]),
  );
}

/** Bytes this process (every thread, the decode worker included) has read from files, as Linux counts them. */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

test(
  'a single slice costs its header, not a read of the whole file; a volume is read and decoded once',
  { skip: !existsSync('/proc/self/io') && 'counts reads through /proc/self/io (Linux)' },
  async () => {
    const slice = writeDicom('slice-2048.dcm', 2048, 2048);
    const volume = writeNifti('volume-1024x1024x8.nii', 1024, 1024, 8);
    // The decode worker starts (and, under tsx, compiles its sources) on first use: not what is measured.
    await loadScan(fixture('nifti', 'ras-grid.nii'), DEFAULT_LIMITS);

    let before = bytesRead();
    assert.equal(await volumeFile(slice, DEFAULT_LIMITS), undefined);
    const sliceRead = bytesRead() - before;
    assert.ok(sliceRead < 512 * 1024, `read ${sliceRead} bytes of an ${statSync(slice).size}-byte single-slice file to find it is not a volume`);

    before = bytesRead();
    const scan = await volumeFile(volume, DEFAULT_LIMITS);
    const volumeRead = bytesRead() - before;
    assert.deepEqual(scan?.shape, [8, 1024, 1024]);
    const size = statSync(volume).size;
    assert.ok(volumeRead >= size && volumeRead < 1.2 * size, `read ${volumeRead} bytes of a ${size}-byte volume`);
  },
);

test('a one-slice NIfTI is a volume, as classify routes it: right-click classify cuts it in display orientation like the CLI, not as stored', async () => {
  const [nx, ny] = [5, 3];
  const voxels = Int16Array.from({ length: nx * ny }, (_, i) => i * i);
  const file = copyTo('one-slice.nii', Buffer.concat([niftiInt16Header(nx, ny, 1), Buffer.from(voxels.buffer)]));
  const scan = await volumeFile(file, DEFAULT_LIMITS);
  assert.deepEqual(scan?.shape, [1, ny, nx]);
  // The host hands it to classifyVolume, which feeds the axial cut: here not the stored order.
  assert.notDeepEqual(Array.from(reslicedSlice(scan!, 'axial', 0).voxels), Array.from(voxels));
  // A one-frame DICOM stays a single image (its header alone read), a broken NIfTI header is left to the classification's error row.
  assert.equal(await volumeFile(writeDicom('one-frame-16.dcm', 4, 4), DEFAULT_LIMITS), undefined);
  assert.equal(await volumeFile(copyTo('broken.nii', Buffer.from('not a nifti header at all')), DEFAULT_LIMITS), undefined);
});
