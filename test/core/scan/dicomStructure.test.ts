import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DataSet } from 'dicom-parser';
import { groupSeries, loadDicomSeries } from '../../../src/core/scan/dicomSeries';
import { parseDicomBytes } from '../../../src/core/scan/dicomParse';
import { DEFAULT_LIMITS, type DecodeLimits } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { deepNesting, deflatedFrames, deflatedSlice, itemFlood, manyFrameFragments, privateTagFlood } from '../../helpers/hostileDicom';
import { FIXTURES, fixture } from '../../helpers/paths';
import { seriesSlice, PLANES } from '../../helpers/tinyDicom';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-structure-'));
const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

function write(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => assert.fail('accepted'),
    (error: Error) => error.message,
  );
}

/** What dicom-parser made of a file: its elements, two objects per item (the item and its data set), fragments and offset-table entries. */
function objectsIn(dataSet: DataSet): number {
  let count = 0;
  for (const element of Object.values(dataSet.elements)) {
    count++;
    for (const item of element.items ?? []) count += 2 + (item.dataSet ? objectsIn(item.dataSet) : 0);
    count += (element.fragments?.length ?? 0) + (element.basicOffsetTable?.length ?? 0);
  }
  return count;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('the structure walk counts exactly what dicom-parser makes, on pydicom’s test files and ours: the limit refuses one object more, never one less', async (t) => {
  const folders = [join(FIXTURES, 'dicom'), join(FIXTURES, 'fuzz-seeds', 'dicom'), ...(existsSync(PYDICOM_FILES) ? [PYDICOM_FILES] : [])];
  if (folders.length === 2) t.diagnostic('pydicom is not installed: only the project’s own DICOM files are compared');
  let compared = 0;
  for (const path of folders.flatMap(filesUnder)) {
    const bytes = readFileSync(path);
    const dataSet = await parseDicomBytes(bytes, path, DEFAULT_LIMITS).catch(() => undefined);
    if (!dataSet) continue;
    const made = objectsIn(dataSet);
    await parseDicomBytes(bytes, path, { ...DEFAULT_LIMITS, maxDicomElements: made });
    const message = await refusal(parseDicomBytes(bytes, path, { ...DEFAULT_LIMITS, maxDicomElements: made - 1 }));
    assert.equal(message, `${path}: DICOM data set holds more than ${made - 1} elements, items and fragments; refused before parsing`);
    compared++;
  }
  t.diagnostic(`${compared} DICOM files compared`);
  assert.ok(compared >= 20, `only ${compared} files compared`);
});

test('an item flood in a deflated data set is refused after inflating a few megabytes, naming the file', async () => {
  const file = write('items.dcm', itemFlood(4_000_000));
  assert.ok(statSync(file).size < 100_000);
  assert.equal(await refusal(loadScan(file)), `${file}: DICOM data set holds more than 1000000 elements, items and fragments; refused before parsing`);
});

test('a private-tag flood is refused in the header scan too: the file stays single, the series beside it is grouped', async () => {
  const folder = join(tmp, 'flooded');
  mkdirSync(folder);
  const flood = join(folder, 'flood.dcm');
  writeFileSync(flood, privateTagFlood(1_100_000));
  const slices = [0, 1, 2].map((i) => {
    const path = join(folder, `slice-${i}.dcm`);
    writeFileSync(path, seriesSlice('1.2.826.0.1.3680043.8.498.141', PLANES.axial, [0, 0, i], i + 1));
    return path;
  });
  const { series, single } = await groupSeries([flood, ...slices], DEFAULT_LIMITS);
  assert.deepEqual(single, [flood]);
  assert.deepEqual(series[0]?.files, slices);
  assert.equal(await refusal(loadScan(flood)), `${flood}: DICOM data set holds more than 1000000 elements, items and fragments; refused before parsing`);
});

test('sequences nested deeper than the limit are refused by name; nesting within it parses', async () => {
  const deep = write('deep.dcm', deepNesting(33));
  assert.equal(await refusal(loadScan(deep)), `${deep}: DICOM sequences are nested more than 32 deep; refused before parsing`);
  const dataSet = await parseDicomBytes(deepNesting(32), 'nested.dcm', DEFAULT_LIMITS);
  assert.equal(dataSet.elements['x00081115']?.items?.length, 1);
});

test('the header scan runs in the decoding worker, under its time limit: a header it cannot read in time keeps its file single', async () => {
  const slices = [0, 1].map((i) => write(`timed-${i}.dcm`, seriesSlice('1.2.826.0.1.3680043.8.498.142', PLANES.axial, [0, 0, i], i + 1)));
  // A fresh worker (new heap cap) cannot even start within a millisecond.
  const grouped = await groupSeries(slices, { ...DEFAULT_LIMITS, maxDecodeHeapMb: 201, maxDecodeSeconds: 0.001 });
  assert.deepEqual(grouped.series, []);
  assert.deepEqual(grouped.single, slices);
  assert.equal((await groupSeries(slices, DEFAULT_LIMITS)).series.length, 1);
});

test('a series is checked against the voxel limit from its headers, before any slice is decoded', async () => {
  const folder = join(tmp, 'deflated-series');
  mkdirSync(folder);
  const files = [0, 1, 2, 3, 4].map((i) => {
    const path = join(folder, `s${i}.dcm`);
    writeFileSync(path, deflatedSlice('1.2.826.0.1.3680043.8.498.143', i, 1024));
    return path;
  });
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxVoxels: 4 * 1024 * 1024 };
  assert.equal(await refusal(loadDicomSeries(folder, files, limits)), `${folder}: series of 5 slices declares 5242880 voxels, over the limit of 4194304; refused before decoding`);
  const volume = await loadDicomSeries(folder, files.slice(0, 4), limits);
  assert.deepEqual([...volume.shape], [4, 1024, 1024]);
});

test('a deflated file declaring more voxels than the limit is refused from its header; one within it inflates whole', async () => {
  const bomb = write('bomb.dcm', deflatedFrames(8, 1024));
  const limits: DecodeLimits = { ...DEFAULT_LIMITS, maxVoxels: 4 * 1024 * 1024 };
  assert.equal(await refusal(loadScan(bomb, limits)), `${bomb}: 8 frames of 1024×1024 are over the limit of 4194304 voxels`);
  const within = await loadScan(write('within.dcm', deflatedFrames(2, 1024)), limits);
  assert.deepEqual([...within.shape], [2, 1024, 1024]);
  assert.ok(within.voxels.every((v) => v === 0));
});

test('a JPEG-LS codestream cut short is refused before the codec sees it (fuzz finding jpegls-near-slow.dcm)', async () => {
  const finding = fixture('fuzz-seeds', 'findings', 'jpegls-near-slow.dcm');
  assert.equal(
    await refusal(loadScan(finding)),
    `${finding}: transfer syntax JPEG-LS Near-Lossless (1.2.840.10008.1.2.4.81) cannot be decoded exactly: frame 1 is cut short: its codestream has no end marker (FFD9)`,
  );
});

test('a fragment that declares more bytes than the file holds is refused by name', async () => {
  const whole = readFileSync(fixture('dicom', 'mr-jpegls.dcm'));
  // The last fragment item before the sequence delimiter: cut the file inside it, keeping its declared length.
  const delimiter = whole.lastIndexOf(Buffer.from([0xfe, 0xff, 0xdd, 0xe0]));
  const cut = write('cut-fragment.dcm', whole.subarray(0, delimiter - 100));
  const message = await refusal(loadScan(cut));
  assert.match(message, /: pixel data is truncated: fragment 1 declares \d+ bytes and the file holds \d+$/);
});

test('fragments are matched to frames in one pass: 50,000 frames in 100,000 fragments are met with the first frame’s error', async () => {
  const file = write('frames.dcm', manyFrameFragments(50_000));
  assert.match(await refusal(loadScan(file)), /frame 1 is cut short: its codestream has no end marker \(FFD9\)$/);
});
