import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';

// The decodable compressed fixtures are checked against pydicom in dicomDecoder.test.ts;
// these are the ones ScanLens must refuse, and damaged copies of the good ones.
const tmp = mkdtempSync(join(tmpdir(), 'scanlens-compressed-'));

function oneLine(message: string, file: string): void {
  assert.ok(message.startsWith(`${file}: `), message);
  assert.ok(!message.includes('\n'), message);
}

test('lossy JPEG wider than 8 bits is refused naming the transfer syntax', async () => {
  const file = fixture('dicom', 'mr-jpeg-extended.dcm');
  const error = await loadScan(file).then(
    () => assert.fail('decoded'),
    (e: Error) => e,
  );
  oneLine(error.message, file);
  assert.match(error.message, /transfer syntax JPEG Extended \(Process 2 & 4\) \(1\.2\.840\.10008\.1\.2\.4\.51\) cannot be decoded exactly: \d+-bit lossy JPEG has no exact decoder/);
});

test('colour JPEG whose markers contradict PhotometricInterpretation is refused, not guessed', async () => {
  const file = fixture('dicom', 'rgb-jpeg-labelled-rgb.dcm');
  await assert.rejects(loadScan(file), /JPEG Baseline \(Process 1\) \(1\.2\.840\.10008\.1\.2\.4\.50\) cannot be decoded exactly: DICOM says RGB but the JPEG stream's markers say YCbCr/);
});

test('YBR JPEG comes out as RGB and says so', async () => {
  const scan = await loadScan(fixture('dicom', 'rgb-jpeg-baseline.dcm'));
  assert.equal(scan.metadata.photometric, 'RGB');
  assert.equal(scan.metadata.transferSyntaxUID, '1.2.840.10008.1.2.4.50');
});

/** A copy of a fixture with Rows (0028,0010) set to `rows`, so the codestream no longer matches it. */
function withRows(name: string, rows: number): string {
  const bytes = Buffer.from(readFileSync(fixture('dicom', name)));
  const at = bytes.indexOf(Buffer.from([0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00]));
  assert.ok(at > 0, 'Rows element found');
  bytes.writeUInt16LE(rows, at + 8);
  const out = join(tmp, `rows-${rows}-${name}`);
  writeFileSync(out, bytes);
  return out;
}

for (const name of ['mr-jpegls.dcm', 'mr-j2k-lossless.dcm', 'mr-jpeg-lossless.dcm', 'rgb-jpeg-baseline.dcm']) {
  test(`${name}: a codestream that disagrees with Rows is refused before decoding`, async () => {
    const file = withRows(name, 4096);
    const error = await loadScan(file).then(
      () => assert.fail('decoded'),
      (e: Error) => e,
    );
    oneLine(error.message, file);
    assert.match(error.message, /transfer syntax .* \(1\.2\.840\.10008\.1\.2\.4\.\d+\) cannot be decoded exactly: a frame is coded as \d+×\d+ but Rows\/Columns say \d+×4096/);
  });
}

for (const name of ['mr-jpegls.dcm', 'mr-j2k-lossless.dcm', 'mr-jpeg-lossless.dcm', 'rgb-jpeg-baseline.dcm']) {
  test(`${name}: a damaged codestream gives one line naming the transfer syntax`, async () => {
    const bytes = Buffer.from(readFileSync(fixture('dicom', name)));
    // Overwrite the entropy-coded data after the headers with noise, keeping the length.
    const start = Math.floor(bytes.length * 0.6);
    for (let i = start; i < bytes.length - 16; i++) bytes[i] = (i * 97) & 0xff;
    const file = join(tmp, `noise-${name}`);
    writeFileSync(file, bytes);
    const outcome = await loadScan(file).then(
      () => 'decoded',
      (e: Error) => e,
    );
    // JPEG streams carry no checksum, so noise may still decode to pixels; it must never crash or hang.
    if (outcome instanceof Error) {
      oneLine(outcome.message, file);
      assert.match(outcome.message, /transfer syntax|pixel data|cannot parse DICOM/);
    }
  });
}
