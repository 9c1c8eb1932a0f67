import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { assertVolumeMatches } from './volumeAssertions';

// Debian's python3-nibabel ships nibabel's own test files here; the expected
// values were computed by nibabel (scripts/reference/make_scan_fixtures.py).
const NIBABEL_DATA = process.env.SCANLENS_NIBABEL_DATA ?? '/usr/lib/python3/dist-packages/nibabel/tests/data';
const reference = JSON.parse(readFileSync(fixture('public-reference.json'), 'utf8')).nibabel as Record<string, Parameters<typeof assertVolumeMatches>[1] & { name: string }>;

const files = existsSync(NIBABEL_DATA) ? readdirSync(NIBABEL_DATA).filter((f) => /\.nii(\.gz)?$/.test(f)) : [];

test('nibabel public NIfTI files decode to nibabel values', { skip: files.length === 0 ? `nibabel test data not found at ${NIBABEL_DATA}` : false }, async (t) => {
  let checked = 0;
  for (const name of files) {
    const path = join(NIBABEL_DATA, name);
    const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
    const expected = reference[digest];
    if (!expected) {
      t.diagnostic(`${name}: no reference for this version of the file (nibabel could not read it, or it changed)`);
      continue;
    }
    assertVolumeMatches(await loadScan(path), expected, name);
    checked++;
  }
  t.diagnostic(`${checked} nibabel files matched`);
});
