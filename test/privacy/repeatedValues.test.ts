import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type * as vscode from 'vscode';
import { loadScan } from '../../src/core/scan/loadScan';
import type { Scan } from '../../src/core/scan/scan';
import { ViewerDocument } from '../../src/host/viewer/viewerDocument';
import { runCli } from '../helpers/runCli';
import { PLANES, seriesSlice, tag, tinyDicom } from '../helpers/tinyDicom';

/*
 * Issue 20 item 8: a patient's name or ID stored again in tags the basic
 * profile keeps (Manufacturer, ManufacturerModelName, BodyPartExamined, a
 * window's explanation, Modality) is redacted like the original, in info,
 * the viewer's metadata and a series' row name; look-alike values that
 * identify no one stay.
 */
const work = mkdtempSync(join(tmpdir(), 'scanlens-echoes-'));
after(() => rmSync(work, { recursive: true, force: true }));

const PATIENT = [tag(0x0008, 0x0080, 'LO', 'General Hospital of Somewhere'), tag(0x0010, 0x0010, 'PN', 'DOE^JANE'), tag(0x0010, 0x0020, 'LO', 'PAT-12345')];
const SECRETS = /\bDOE\b|\bJANE\b|PAT.?12345|Somewhere/i;

const hostile = join(work, 'hostile.dcm');
writeFileSync(
  hostile,
  tinyDicom([
    ...PATIENT,
    tag(0x0008, 0x0070, 'LO', 'DOE^JANE'),
    tag(0x0008, 0x1090, 'LO', 'Jane Doe 3000'),
    tag(0x0018, 0x0015, 'CS', 'PAT-12345'),
    tag(0x0028, 0x1050, 'DS', '100\\200'),
    tag(0x0028, 0x1051, 'DS', '300\\400'),
    tag(0x0028, 0x1055, 'LO', 'doe, jane\\GENERAL HOSPITAL OF SOMEWHERE'),
  ]),
);

/** What info and the viewer show of a scan's header: metadata and window names. */
const shown = (scan: Scan): string => JSON.stringify({ metadata: scan.metadata, window: scan.window, presets: scan.windowPresets });

test('a name or ID repeated in Manufacturer, ManufacturerModelName, BodyPartExamined and window explanations is redacted; --reveal-phi shows it', async () => {
  const scan = await loadScan(hostile);
  assert.equal(scan.metadata.Manufacturer, '[redacted]');
  assert.equal(scan.metadata.ManufacturerModelName, '[redacted]');
  assert.equal(scan.metadata.BodyPartExamined, '[redacted]');
  assert.deepEqual(
    scan.windowPresets?.map((w) => w.name),
    ['[redacted]', '[redacted]'],
  );
  assert.doesNotMatch(shown(scan), SECRETS);
  const revealed = await loadScan(hostile, undefined, { revealIdentifying: true });
  assert.equal(revealed.metadata.Manufacturer, 'DOE^JANE');
  assert.equal(revealed.window.name, 'doe, jane');
});

test("the viewer's metadata panel and window list follow the same rule", async () => {
  const info = (await ViewerDocument.open({ fsPath: hostile } as vscode.Uri)).info('hostile.dcm');
  assert.doesNotMatch(JSON.stringify({ metadata: info.metadata, windows: info.windows }), SECRETS);
  assert.equal(info.metadata['BodyPartExamined'], '[redacted]');
});

test('values that repeat no name, ID or address stay: a description equal to the body part, a weight equal to the echo time, a sex code', async () => {
  const file = join(work, 'plain.dcm');
  writeFileSync(
    file,
    tinyDicom([
      ...PATIENT,
      tag(0x0008, 0x0070, 'LO', 'SIEMENS'),
      tag(0x0008, 0x1030, 'LO', 'BRAIN'),
      tag(0x0008, 0x1090, 'LO', 'Skyra'),
      tag(0x0010, 0x0040, 'CS', 'F'),
      tag(0x0010, 0x1030, 'DS', '70.5'),
      tag(0x0018, 0x0015, 'CS', 'BRAIN'),
      tag(0x0018, 0x0081, 'DS', '70.5'),
      tag(0x0018, 0x1030, 'LO', 'BRAIN'),
      tag(0x0028, 0x1050, 'DS', '100'),
      tag(0x0028, 0x1051, 'DS', '300'),
      tag(0x0028, 0x1055, 'LO', 'BRAIN'),
    ]),
  );
  const scan = await loadScan(file);
  assert.deepEqual(
    [scan.metadata.Manufacturer, scan.metadata.ManufacturerModelName, scan.metadata.BodyPartExamined, scan.metadata.EchoTime, scan.window.name, scan.metadata.PatientName],
    ['SIEMENS', 'Skyra', 'BRAIN', '70.5', 'BRAIN', '[redacted]'],
  );
});

test('info --json and text show none of the repeated values; --reveal-phi is the positive control', () => {
  for (const json of [['--json'], []]) {
    const result = runCli(['info', hostile, ...json]);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, SECRETS);
  }
  const revealed = runCli(['info', hostile, '--json', '--reveal-phi']);
  assert.match(revealed.stdout, /"Manufacturer": "DOE\^JANE"/);
});

test("a series whose Modality repeats the patient's name is not named by it", () => {
  const folder = join(work, 'series');
  mkdirSync(folder);
  const uid = '1.2.826.0.1.3680043.8.498.201';
  [0, 1].forEach((z) => writeFileSync(join(folder, `s${z}.dcm`), seriesSlice(uid, PLANES.axial, [0, 0, z], z + 1, [...PATIENT, tag(0x0008, 0x0060, 'CS', 'DOE^JANE')])));
  const result = runCli(['classify', folder, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const rows = (JSON.parse(result.stdout) as { results: { file: string; kind?: string }[] }).results;
  assert.deepEqual(
    rows.map((r) => r.kind),
    ['series'],
  );
  assert.match(rows[0]!.file, /\[DICOM series 7 · [0-9a-f]{8}\]$/);
  assert.doesNotMatch(result.stdout + result.stderr, SECRETS);
});
