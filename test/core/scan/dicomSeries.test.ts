import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HEADER_PREFIX_BYTES } from '../../../src/core/scan/dicomHeader';
import { groupSeries, loadSeriesFolder } from '../../../src/core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { resliceScan } from '../../../src/core/scan/reslice';
import { fixture } from '../../helpers/paths';

const folder = fixture('dicom', 'series');
const files = readdirSync(folder).map((f) => join(folder, f));
const tmp = mkdtempSync(join(tmpdir(), 'scanlens-series-'));
const PIXEL_DATA_TAG = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);

/** A copy of a DICOM file with a private (0029,1010) element of `size` bytes just before Pixel Data, making its header that much longer. */
function withLongHeader(bytes: Buffer, size: number, explicit: boolean): Buffer {
  const at = bytes.indexOf(PIXEL_DATA_TAG);
  assert.ok(at > 0, 'Pixel Data found');
  const head = explicit ? Buffer.from([0x29, 0x00, 0x10, 0x10, 0x4f, 0x42, 0, 0, 0, 0, 0, 0]) : Buffer.from([0x29, 0x00, 0x10, 0x10, 0, 0, 0, 0]);
  head.writeUInt32LE(size, head.length - 4);
  return Buffer.concat([bytes.subarray(0, at), head, Buffer.alloc(size, 0x20), bytes.subarray(at)]);
}

function copyTo(dir: string, name: string, bytes: Uint8Array): string {
  const path = join(tmp, dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('files are grouped by SeriesInstanceUID; a lone file of another series stays single; a multi-frame file is its own volume', async () => {
  const { series, single, multiFrame } = await groupSeries([...files, fixture('dicom', 'rgb-planar-2frame.dcm')], DEFAULT_LIMITS);
  assert.equal(series.length, 1);
  assert.deepEqual(series[0]!.files.map((f) => f.split('/').at(-1)).sort(), ['slice-0.dcm', 'slice-1.dcm', 'slice-2.dcm']);
  assert.deepEqual(
    single.map((f) => f.split('/').at(-1)),
    ['other-series.dcm'],
  );
  assert.deepEqual(
    multiFrame.map((f) => f.split('/').at(-1)),
    ['rgb-planar-2frame.dcm'],
  );
});

test('a series folder stacks slices by position along the normal, not by file name', async () => {
  const volume = await loadSeriesFolder(folder, files, DEFAULT_LIMITS);
  assert.deepEqual(volume.shape, [3, 64, 64]);
  // Positions z = 10, -5, 2.5 for slice-0..2: ascending order is slice-1, slice-2, slice-0.
  const order = ['slice-1.dcm', 'slice-2.dcm', 'slice-0.dcm'];
  for (const [i, name] of order.entries()) {
    const slice = await loadScan(join(folder, name));
    assert.deepEqual(Array.from(volume.voxels.subarray(i * 4096, (i + 1) * 4096)), Array.from(slice.voxels), `slice ${i} is ${name}`);
  }
  assert.equal(volume.spacing![0], 7.5);
  assert.equal(volume.metadata.orderedBy, 'ImagePositionPatient');
  assert.equal(volume.metadata.PatientName, '[redacted]');
  const sagittal = resliceScan(volume, 'sagittal');
  assert.deepEqual(sagittal.shape, [64, 3, 64]);
});

test('a slice whose pixel data is cut short is still grouped by its header, and loading the series names it', async () => {
  const dir = mkdtempSync(join(tmp, 'cut-')).split('/').at(-1)!;
  const copies = ['slice-0.dcm', 'slice-1.dcm', 'slice-2.dcm'].map((name) => {
    const bytes = readFileSync(join(folder, name));
    return copyTo(dir, name, name === 'slice-1.dcm' ? bytes.subarray(0, bytes.length - 1000) : bytes);
  });
  const { series, single } = await groupSeries(copies, DEFAULT_LIMITS);
  assert.deepEqual(single, []);
  assert.deepEqual(
    series.map((s) => s.files.length),
    [3],
  );
  const cut = copies[1]!;
  await assert.rejects(loadSeriesFolder(join(tmp, dir), copies, DEFAULT_LIMITS), (error: Error) => {
    assert.match(error.message, new RegExp(`^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: pixel data is truncated: \\d+ of 8192 bytes$`));
    assert.ok(!error.message.includes('\n'), error.message);
    return true;
  });
});

test('headers longer than the first read prefix are read on until Pixel Data, explicit and implicit VR', async () => {
  for (const [source, explicit] of [
    ['mr-explicit-le.dcm', true],
    ['mr-implicit-le.dcm', false],
  ] as const) {
    const dir = mkdtempSync(join(tmp, 'long-')).split('/').at(-1)!;
    const long = withLongHeader(readFileSync(fixture('dicom', source)), 5 * HEADER_PREFIX_BYTES, explicit);
    // Two slices of one series (same SeriesInstanceUID), each with 320 KiB before its pixels.
    const copies = [copyTo(dir, 'a.dcm', long), copyTo(dir, 'b.dcm', long)];
    const { series, single } = await groupSeries(copies, DEFAULT_LIMITS);
    assert.deepEqual({ series: series.map((s) => s.files.length), single }, { series: [2], single: [] }, source);
  }
});

test('a file with a long header but no Pixel Data stays single: the prefix never passes for the whole file', async () => {
  const dir = mkdtempSync(join(tmp, 'nopixels-')).split('/').at(-1)!;
  const whole = readFileSync(fixture('dicom', 'mr-implicit-le.dcm'));
  const long = withLongHeader(whole, 2 * HEADER_PREFIX_BYTES, false);
  const headerOnly = long.subarray(0, long.indexOf(PIXEL_DATA_TAG, 2 * HEADER_PREFIX_BYTES));
  const copies = [copyTo(dir, 'a.dcm', headerOnly), copyTo(dir, 'b.dcm', headerOnly)];
  const { series, single } = await groupSeries(copies, DEFAULT_LIMITS);
  assert.deepEqual(series, []);
  assert.deepEqual(
    single.map((f) => f.split('/').at(-1)),
    ['a.dcm', 'b.dcm'],
  );
});
