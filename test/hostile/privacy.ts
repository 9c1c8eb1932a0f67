import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tag, tinyDicom } from '../helpers/tinyDicom';
import type { HostileCase } from './hostileCase';

/*
 * A patient's name stored again in tags the de-identification profile keeps
 * (issue 20 item 8; test/privacy/repeatedValues.test.ts): `info --json` must
 * not show it.
 */

export const PATIENT_TAGS = [tag(0x0008, 0x0080, 'LO', 'General Hospital of Somewhere'), tag(0x0010, 0x0010, 'PN', 'DOE^JANE'), tag(0x0010, 0x0020, 'LO', 'PAT-12345')];
export const PATIENT_SECRETS = /\bDOE\b|\bJANE\b|PAT.?12345|Somewhere/i;

export const privacyCases: readonly HostileCase[] = [
  {
    name: "DICOM with the patient's name in Manufacturer, model name, BodyPartExamined (info --json)",
    build: (dir) => {
      const echoes = [tag(0x0008, 0x0070, 'LO', 'DOE^JANE'), tag(0x0008, 0x1090, 'LO', 'Jane Doe 3000'), tag(0x0018, 0x0015, 'CS', 'DOE^JANE')];
      writeFileSync(join(dir, 'echoes.dcm'), tinyDicom([...PATIENT_TAGS, ...echoes]));
      return { args: ['info', 'echoes.dcm', '--json'] };
    },
    expect: {
      exit: 0,
      check: (run) => {
        assert.doesNotMatch(run.stdout + run.stderr, PATIENT_SECRETS);
        const metadata = (JSON.parse(run.stdout) as { metadata: Record<string, unknown> }).metadata;
        for (const key of ['Manufacturer', 'ManufacturerModelName', 'BodyPartExamined']) assert.equal(metadata[key], '[redacted]', key);
      },
    },
  },
];
