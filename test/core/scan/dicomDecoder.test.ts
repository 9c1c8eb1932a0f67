import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { assertMatchesPydicom, type DicomReference } from './dicomReference';

const reference = JSON.parse(readFileSync(fixture('dicom', 'dicom-reference.json'), 'utf8')) as Record<string, DicomReference>;
const tmp = mkdtempSync(join(tmpdir(), 'scanlens-dicom-'));

for (const [name, expected] of Object.entries(reference)) {
  test(`DICOM ${name} (${expected.transferSyntax}) decodes to pydicom's values`, async () => {
    const scan = await loadScan(fixture('dicom', name));
    assert.equal(scan.format, 'dicom');
    assertMatchesPydicom(scan, expected, name);
  });
}

test('modality LUT and VOI windows come from the file, presets named', async () => {
  const scan = await loadScan(fixture('dicom', 'mr-explicit-le.dcm'));
  assert.deepEqual(scan.rescale, { slope: 2, intercept: -1024 });
  assert.deepEqual(scan.window, { center: 40, width: 80, name: 'BRAIN' });
  assert.deepEqual(
    scan.windowPresets?.map((w) => w.name),
    ['BRAIN', 'BONE'],
  );
  assert.deepEqual(scan.valueRange, { min: -32768 * 2 - 1024, max: 32767 * 2 - 1024 });
  assert.ok(scan.spacing && scan.spacing[1] > 0 && scan.spacing[2] > 0);
  assert.ok(scan.affine, 'orientation and position give an affine');
});

test('patient name, ID and birth date never reach metadata unless revealed', async () => {
  const hidden = await loadScan(fixture('dicom', 'mr-explicit-le.dcm'));
  const text = JSON.stringify(hidden);
  for (const secret of ['DOE^JANE', 'PAT-12345', '19700101', 'General Hospital', 'HOUSE^GREGORY']) assert.ok(!text.includes(secret), `${secret} leaked`);
  assert.equal(hidden.metadata.PatientName, '[redacted]');
  assert.equal(hidden.metadata.Modality, 'MR');
  const shown = await loadScan(fixture('dicom', 'mr-explicit-le.dcm'), undefined, { revealIdentifying: true });
  assert.equal(shown.metadata.PatientName, 'DOE^JANE');
  assert.equal(shown.metadata.PatientID, 'PAT-12345');
  assert.equal(shown.metadata.PatientBirthDate, '19700101');
});

test('hostile DICOM gives one-line reasons: truncated pixels, absurd sizes, no pixels', async () => {
  const whole = readFileSync(fixture('dicom', 'mr-explicit-le.dcm'));
  const cut = join(tmp, 'cut.dcm');
  writeFileSync(cut, whole.subarray(0, whole.length - 100));
  await assert.rejects(loadScan(cut), /cut\.dcm: (pixel data is truncated|cannot parse DICOM)/);
  const header = join(tmp, 'header-only.dcm');
  writeFileSync(header, whole.subarray(0, 400));
  await assert.rejects(loadScan(header), /header-only\.dcm: /);
  const garbage = Buffer.from(whole);
  garbage.fill(0xff, 140, 400);
  const broken = join(tmp, 'broken.dcm');
  writeFileSync(broken, garbage);
  await assert.rejects(loadScan(broken), /broken\.dcm: /);
});
