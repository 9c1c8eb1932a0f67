import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { assertMatchesPydicom, type DicomReference } from './dicomReference';

// Written and checked by scripts/reference/make_photometric_fixtures.py (pydicom).
const reference = JSON.parse(readFileSync(fixture('dicom', 'photometric', 'reference.json'), 'utf8')) as Record<string, DicomReference>;
const photometric = (name: string): string => fixture('dicom', 'photometric', name);

for (const [name, expected] of Object.entries(reference)) {
  test(`${name}: decodes to what pydicom shows (${expected.rgb ? 'YBR converted to RGB' : expected.monochrome2 ? 'MONOCHROME1 inverted' : 'as stored'})`, async () => {
    assertMatchesPydicom(await loadScan(photometric(name)), expected, name);
  });
}

for (const pair of ['mono-12bit', 'mono-8bit', 'mono-signed']) {
  test(`${pair}: MONOCHROME1 shows the same picture as its MONOCHROME2 twin: values, window and range`, async () => {
    const one = await loadScan(photometric(`${pair}-monochrome1.dcm`));
    const two = await loadScan(photometric(`${pair}-monochrome2.dcm`));
    assert.deepEqual(Array.from(one.voxels), Array.from(two.voxels));
    assert.deepEqual(one.window, two.window);
    assert.deepEqual(one.valueRange, two.valueRange);
    assert.deepEqual(one.rescale, two.rescale);
    assert.equal(one.metadata.photometric, 'MONOCHROME2');
    // The file's own attribute is still reported as written.
    assert.equal(one.metadata.PhotometricInterpretation, 'MONOCHROME1');
  });
}

test('a MONOCHROME1 file window is moved onto the inverted values: 12-bit, slope 2, intercept -1024', async () => {
  const scan = await loadScan(photometric('mono-12bit-monochrome1.dcm'));
  // The file says centre 5142 for its own (white-is-low) values; 6142 − 5142 on the inverted ones.
  assert.deepEqual(scan.window, { center: 1000, width: 2000 });
  assert.deepEqual(scan.valueRange, { min: -1024, max: 4095 * 2 - 1024 });
});

test('16-bit YBR_FULL is refused in one line naming the file, not shown as RGB', async () => {
  const file = photometric('ybr-full-16bit.dcm');
  const error = await loadScan(file).then(
    () => assert.fail('decoded'),
    (e: Error) => e,
  );
  assert.equal(error.message, `${file}: YBR_FULL with BitsAllocated 16 has no defined conversion to RGB (8 bits only)`);
});
