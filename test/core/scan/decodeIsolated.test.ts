import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../../../src/core/scan/limits';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

const tmp = mkdtempSync(join(tmpdir(), 'scanlens-isolation-'));

/**
 * A Part 10 file holding `count` distinct empty elements and nothing else:
 * a few bytes each on disk, an object each in the parser's heap.
 */
function elementFlood(count: number): string {
  const meta = Buffer.alloc(132 + 12 + 8 + 20);
  meta.write('DICM', 128, 'latin1');
  let o = 132;
  o = meta.writeUInt16LE(0x0002, o);
  o = meta.writeUInt16LE(0x0000, o);
  o += meta.write('UL', o, 'latin1');
  o = meta.writeUInt16LE(4, o);
  o = meta.writeUInt32LE(28, o);
  o = meta.writeUInt16LE(0x0002, o);
  o = meta.writeUInt16LE(0x0010, o);
  o += meta.write('UI', o, 'latin1');
  o = meta.writeUInt16LE(20, o);
  meta.write('1.2.840.10008.1.2.1\0', o, 'latin1');
  const body = Buffer.alloc(count * 8);
  for (let i = 0; i < count; i++) {
    const at = i * 8;
    body.writeUInt16LE(0x0009 + 2 * Math.floor(i / 0xff00), at);
    body.writeUInt16LE(0x0100 + (i % 0xff00), at + 2);
    body.write('SH', at + 4, 'latin1');
  }
  const file = join(tmp, `flood-${count}.dcm`);
  writeFileSync(file, Buffer.concat([meta, body]));
  return file;
}

test('a file that floods the parser past the element limit hits the worker heap cap: one-line error, and the process lives on', async () => {
  const file = elementFlood(2_000_000);
  // The element limit would refuse it before parsing; raised, the heap cap is what stops it.
  const limits = { ...DEFAULT_LIMITS, maxDecodeHeapMb: 48, maxDicomElements: 10_000_000 };
  const error = await loadScan(file, limits).then(
    () => assert.fail('decoded'),
    (e: Error) => e,
  );
  assert.equal(error.message, `${file}: decoding needed more than its 48 MB memory cap and was stopped`);
  // The worker was replaced: the next decode works.
  const scan = await loadScan(fixture('dicom', 'mr-jpegls.dcm'), limits);
  assert.deepEqual([...scan.shape], [1, 64, 64]);
});

test('a decode over its time limit is stopped with a one-line error, and the next one runs', async () => {
  const file = fixture('dicom', 'rgb-j2k.dcm');
  // A fresh worker (new heap cap) cannot even start within a millisecond.
  const error = await loadScan(file, { ...DEFAULT_LIMITS, maxDecodeHeapMb: 200, maxDecodeSeconds: 0.001 }).then(
    () => assert.fail('decoded'),
    (e: Error) => e,
  );
  assert.equal(error.message, `${file}: decoding took longer than 0.001 s and was stopped`);
  const scan = await loadScan(file);
  assert.deepEqual([...scan.shape], [1, 16, 16]);
});

test('decoded voxels arrive whole through the worker, as their own buffer', async () => {
  const scan = await loadScan(fixture('dicom', 'mr-j2k-lossless.dcm'));
  assert.equal(scan.voxels.constructor.name, 'Int16Array');
  assert.equal(scan.voxels.buffer.byteLength, 64 * 64 * 2);
});
