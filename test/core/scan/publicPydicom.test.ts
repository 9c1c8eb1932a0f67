import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadScan } from '../../../src/core/scan/loadScan';
import { fixture } from '../../helpers/paths';
import { assertMatchesPydicom, type DicomReference } from './dicomReference';

// Debian's python3-pydicom ships pydicom's test files here; the expected values
// were computed by pydicom (scripts/reference/make_scan_fixtures.py).
const PYDICOM_DATA = process.env.SCANLENS_PYDICOM_DATA ?? '/usr/lib/python3/dist-packages/pydicom/data/test_files';
type Entry = (DicomReference & { name: string }) | { name: string; undecodable: string };
const reference = JSON.parse(readFileSync(fixture('public-reference.json'), 'utf8')).pydicom as Record<string, Entry>;
const files = existsSync(PYDICOM_DATA)
  ? readdirSync(PYDICOM_DATA)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
  : [];

/** A compressed file ScanLens cannot decode exactly is refused with one line naming its transfer syntax. */
const REFUSED = /^[^\n]+: [^\n]*transfer syntax (JPEG|JPEG-LS|JPEG 2000|High-Throughput)[^\n]* \(1\.2\.840\.10008\.1\.2\.4\.\d+\)[^\n]*$/;

test(
  'pydicom public files: every decodable one matches pydicom exactly, the rest refused naming the transfer syntax',
  { skip: files.length === 0 ? `pydicom test data not found at ${PYDICOM_DATA}` : false },
  async (t) => {
    const tally = { matched: 0, refused: 0, errors: 0, unknown: 0 };
    const failures: string[] = [];
    const refused: string[] = [];
    for (const name of files) {
      const path = join(PYDICOM_DATA, name);
      const expected = reference[createHash('sha256').update(readFileSync(path)).digest('hex')];
      if (!expected) {
        tally.unknown++;
        continue;
      }
      const result = await loadScan(path).then(
        (scan) => ({ scan }),
        (error: Error) => ({ error }),
      );
      if ('undecodable' in expected) {
        // pydicom cannot give pixels either: a one-line error (or pixels) is fine, never a crash.
        if ('error' in result) {
          assert.match(result.error.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\n]+$`));
          tally.errors++;
        }
        continue;
      }
      try {
        if ('error' in result) {
          assert.match(result.error.message, REFUSED, `${name}: ${result.error.message}`);
          refused.push(`${name}: ${result.error.message.slice(path.length + 2)}`);
          tally.refused++;
        } else {
          assertMatchesPydicom(result.scan, expected, name);
          tally.matched++;
        }
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0]!);
      }
    }
    t.diagnostic(`${tally.matched} matched pydicom, ${tally.refused} refused by transfer syntax, ${tally.errors} errors where pydicom fails too, ${tally.unknown} without reference`);
    for (const line of refused) t.diagnostic(`refused ${line}`);
    assert.deepEqual(failures, []);
    assert.ok(tally.matched >= 20, `only ${tally.matched} files matched`);
    for (const variant of files.filter((f) => f.startsWith('MR_small')))
      assert.ok(
        reference[
          createHash('sha256')
            .update(readFileSync(join(PYDICOM_DATA, variant)))
            .digest('hex')
        ],
        `${variant} has a reference`,
      );
  },
);
