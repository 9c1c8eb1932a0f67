import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HEADER_PREFIX_BYTES } from '../../../src/core/scan/dicomHeader';
import { assembleDicomSeries, groupSeries, loadDicomSeries, loadSeriesFolder } from '../../../src/core/scan/dicomSeries';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { resliceScan } from '../../../src/core/scan/reslice';
import { ROOT, fixture } from '../../helpers/paths';
import { PLANES, seriesSlice } from '../../helpers/tinyDicom';

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
    // Two slices of one series (same SeriesInstanceUID), each with 320 KiB before its pixels, the second one slice further along.
    const next = Buffer.from(long);
    const at = next.indexOf('6.6406', 0, 'latin1');
    assert.ok(at > 0, 'the fixture states its position');
    next.write('7.6406', at, 'latin1');
    const copies = [copyTo(dir, 'a.dcm', long), copyTo(dir, 'b.dcm', next)];
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

const SERIES_UID = '1.2.826.0.1.3680043.8.498.77';

/** Writes one series into a new folder: each slice's orientation and position; returns the files in the order given. */
function writeSeries(name: string, slices: readonly (readonly [orientation: string, position: readonly number[]])[]): string[] {
  const dir = mkdtempSync(join(tmp, `${name}-`));
  return slices.map(([orientation, position], i) => {
    const path = join(dir, `s${i}.dcm`);
    writeFileSync(path, seriesSlice(SERIES_UID, orientation, position, i + 1));
    return path;
  });
}

const z = (values: readonly number[]): [string, number[]][] => values.map((v) => [PLANES.axial, [0, 0, v]]);

async function refusal(files: readonly string[]): Promise<string> {
  const error = await assembleDicomSeries('the-series', files, DEFAULT_LIMITS).then(
    () => assert.fail('the series was stacked'),
    (e: Error) => e,
  );
  assert.ok(error.message.startsWith('the-series: '), error.message);
  assert.ok(!error.message.includes('\n'), error.message);
  return error.message;
}

test('a series mixing axial, sagittal and coronal slices under one SeriesInstanceUID is refused, naming the planes', async () => {
  const files = writeSeries('mixed', [
    [PLANES.axial, [0, 0, 0]],
    [PLANES.axial, [0, 0, 1]],
    [PLANES.sagittal, [0, 0, 2]],
    [PLANES.coronal, [0, 0, 3]],
  ]);
  const message = await refusal(files);
  assert.match(message, /slices disagree in orientation under one SeriesInstanceUID \(2 axial, 1 sagittal, 1 coronal\)/);
  assert.ok(message.includes(files[2]!), message);
  assert.match(message, /more than 0\.01 in ImageOrientationPatient; refusing to stack them into one volume$/);
});

test('slices whose spacing along the normal disagrees by more than 1 % (a missing slice) are refused, naming the gap', async () => {
  const files = writeSeries('gap', z([0, 2, 4, 8, 10]));
  const message = await refusal(files);
  assert.match(message, /slice spacing along the normal varies: 4 mm between .*s2\.dcm and .*s3\.dcm, 2 mm between most slices \(tolerance 1 %\)/);
});

test('rounding in positions and orientation within the tolerance still stacks, ordered by position', async () => {
  const files = writeSeries('rounding', [
    ['1\\0.00001\\0\\0\\1\\0', [0, 0, 2.0001]],
    [PLANES.axial, [0, 0, 0]],
    [PLANES.axial, [0, 0, 0.9999]],
  ]);
  const volume = await assembleDicomSeries('ok', files, DEFAULT_LIMITS);
  assert.deepEqual(volume.shape, [3, 4, 4]);
  assert.equal(volume.metadata.orderedBy, 'ImagePositionPatient');
  assert.ok(Math.abs(volume.spacing![0] - 1.00005) < 1e-9, String(volume.spacing));
});

test('slices at one position (re-encoded copies of one slice) are refused, naming two of them', async () => {
  const files = writeSeries('same', z([5, 5, 5]));
  const message = await refusal(files);
  assert.match(message, /slices .*s\d\.dcm and .*s\d\.dcm lie at the same position along the normal \(5 mm\): one series needs one slice per position/);
});

test('a degenerate ImageOrientationPatient, or one missing on some slices only, is refused', async () => {
  assert.match(await refusal(writeSeries('zero', [['0\\0\\0\\0\\0\\0', [0, 0, 0]], ...z([1])])), /s0\.dcm has a degenerate ImageOrientationPatient \(0\\0\\0\\0\\0\\0\)/);
  assert.match(await refusal(writeSeries('parallel', [['1\\0\\0\\1\\0\\0', [0, 0, 0]], ...z([1])])), /degenerate ImageOrientationPatient/);
  const dir = mkdtempSync(join(tmp, 'lacking-'));
  const files = [seriesSlice(SERIES_UID, PLANES.axial, [0, 0, 0], 1), seriesSlice(SERIES_UID, 'NaN\\0\\0\\0\\1\\0', [0, 0, 1], 2)].map((bytes, i) => {
    writeFileSync(join(dir, `s${i}.dcm`), bytes);
    return join(dir, `s${i}.dcm`);
  });
  assert.match(await refusal(files), /s1\.dcm has no usable ImageOrientationPatient while other slices of the series do/);
});

const PYDICOM_DATA = process.env.SCANLENS_PYDICOM_DATA ?? '/usr/lib/python3/dist-packages/pydicom/data/test_files';
// MR_truncated.dcm shares them too, and fails to parse: the series is still refused for its repeated position, not for that file.
const mrSmall = existsSync(PYDICOM_DATA) ? readdirSync(PYDICOM_DATA).filter((f) => /^MR_(small|truncated).*\.dcm$/.test(f)) : [];

test(
  'pydicom MR_small.dcm, its re-encodings and MR_truncated.dcm (one UID, one position) are single images, not a series; stacked anyway, they are refused as copies of one slice',
  { skip: mrSmall.length < 2 ? `pydicom test data not found at ${PYDICOM_DATA}` : false },
  async () => {
    const copies = mrSmall.map((f) => join(PYDICOM_DATA, f));
    const { series, single } = await groupSeries(copies, DEFAULT_LIMITS);
    assert.deepEqual(series, []);
    assert.deepEqual([...single].sort(), [...copies].sort());
    await assert.rejects(loadDicomSeries(PYDICOM_DATA, copies, DEFAULT_LIMITS), (error: Error) => {
      assert.match(
        error.message,
        /: slices .*MR_small.*\.dcm and .*MR_small.*\.dcm lie at the same position along the normal \(6\.641 mm\): one series needs one slice per position \(copies of a slice in other encodings/,
      );
      return true;
    });
  },
);

test('a header value that runs past the end of the file keeps that file single instead of ending the grouping (fuzz finding frames-past-end.dcm)', async () => {
  const finding = join(ROOT, 'test', 'fixtures', 'fuzz-seeds', 'findings', 'frames-past-end.dcm');
  const { series, single, multiFrame } = await groupSeries([finding], DEFAULT_LIMITS);
  assert.deepEqual({ series, single, multiFrame }, { series: [], single: [finding], multiFrame: [] });
});
