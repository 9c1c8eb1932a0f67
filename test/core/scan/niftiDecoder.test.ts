import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { assertClose, assertVolumeMatches, type VolumeReference } from './volumeAssertions';

interface CaseReference {
  readonly datatype: string;
  readonly slope: number | null;
  readonly inter: number | null;
  readonly zooms: number[];
  readonly volumes: Record<string, VolumeReference>;
}

const reference = JSON.parse(readFileSync(fixture('nifti', 'nifti-reference.json'), 'utf8')) as Record<string, CaseReference>;

for (const [name, expected] of Object.entries(reference)) {
  for (const [volume, volumeReference] of Object.entries(expected.volumes)) {
    test(`NIfTI ${name} (volume ${volume}) matches nibabel exactly`, async () => {
      const scan = await loadScan(fixture('nifti', name), undefined, { volume: Number(volume) });
      assert.equal(scan.format, 'nifti');
      assertVolumeMatches(scan, volumeReference, name);
      if (volumeReference.values) assert.deepEqual(Array.from(scan.voxels), volumeReference.values);
      [2, 1, 0].forEach((axis, i) => assertClose(scan.spacing![i]!, expected.zooms[axis]!, `${name} spacing`, 1e-6));
      if (expected.slope === null || (expected.slope === 1 && expected.inter === 0)) assert.equal(scan.rescale, undefined);
      else assert.deepEqual(scan.rescale, { slope: expected.slope, intercept: expected.inter });
    });
  }
}

test('a volume past the end of a 4D file is refused, naming the count', async () => {
  await assert.rejects(loadScan(fixture('nifti', 'four-d.nii.gz'), undefined, { volume: 3 }), /four-d\.nii\.gz: volume 3 does not exist: the file has 3 volume/);
});
