import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { guardedDemoModel } from '../helpers/guardedModel';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache; runCli's children inherit it.
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-volume-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
const volume = join(work, 'volume.nii');
let model: string;

before(async () => {
  model = guardedDemoModel(work);
  await writeGuardedVolume(volume);
});

after(() => rmSync(work, { recursive: true, force: true }));

interface Peak {
  label: string;
  slice: number;
  probability: number;
  anomalyScore?: number;
  anomalyThreshold?: number;
  flag?: string;
}

interface VolumeRow {
  file: string;
  slices: unknown[];
  peaks: Peak[];
  top: Peak;
  notes?: string[];
}

const two = (n: number): string => n.toFixed(2);

test("classify --json on a volume with a guarded model: every peak has its slice's verdict; the lesion slice is flagged, normal slices are not", () => {
  const jsonl = join(work, 'rows.jsonl');
  const result = runCli(['classify', volume, '--model', model, '--json', '--jsonl', jsonl]);
  assert.equal(result.status, 0, result.stderr);
  const [row] = JSON.parse(result.stdout).results as VolumeRow[];
  assert.equal(row!.slices.length, VOLUME_SLICES.length);
  const meningioma = row!.peaks.find((p) => p.label === 'meningioma')!;
  assert.equal(meningioma.slice, LESION_SLICE, 'the lesion slice is the meningioma peak');
  assert.ok(
    row!.peaks.some((p) => p.slice !== LESION_SLICE),
    'some class peaks on a normal slice',
  );
  for (const peak of row!.peaks) {
    assert.equal(typeof peak.anomalyScore, 'number');
    assert.equal(typeof peak.anomalyThreshold, 'number');
    if (peak.slice === LESION_SLICE) {
      assert.ok(peak.anomalyScore! >= peak.anomalyThreshold!);
      assert.equal(peak.flag, OUT_OF_DISTRIBUTION);
    } else {
      assert.ok(peak.anomalyScore! < peak.anomalyThreshold!, `${peak.label}@${peak.slice} scored ${peak.anomalyScore}`);
      assert.equal('flag' in peak, false, 'no flag on a slice that passed');
    }
  }
  // top is one of the peaks, verdict included; the JSON Lines row is the same row.
  assert.deepEqual(
    row!.top,
    row!.peaks.reduce((a, b) => (b.probability > a.probability ? b : a)),
  );
  assert.equal(row!.notes, undefined);
  assert.deepEqual(JSON.parse(readFileSync(jsonl, 'utf8')), row);
});

test("classify text on a volume with a guarded model: flagged peaks marked, the row ending with each peak slice's verdict", () => {
  const json = runCli(['classify', volume, '--model', model, '--json']);
  const [row] = JSON.parse(json.stdout).results as VolumeRow[];
  const result = runCli(['classify', volume, '--model', model]);
  assert.equal(result.status, 0, result.stderr);
  const line = result.stdout.trimEnd();
  assert.equal(line.split('\n').length, 1);
  for (const p of row!.peaks) {
    const shown = `${p.label} ${p.probability.toFixed(3)}@${p.slice}`;
    assert.ok(line.includes(p.flag ? `${shown} ⚠  ` : `${shown}  `), `${shown} ${p.flag ? 'marked' : 'unmarked'}: ${line}`);
  }
  const slices = [...new Map(row!.peaks.map((p) => [p.slice, p])).values()].sort((a, b) => a.slice - b.slice);
  const verdicts = slices.map((p) =>
    p.flag
      ? `slice ${p.slice}: ⚠ Out of distribution (anomaly score ${two(p.anomalyScore!)} ≥ threshold ${two(p.anomalyThreshold!)}): probabilities should not be trusted`
      : `slice ${p.slice}: Out-of-distribution check passed (anomaly score ${two(p.anomalyScore!)} < threshold ${two(p.anomalyThreshold!)})`,
  );
  assert.ok(line.endsWith(`  ${verdicts.join('  ')}`), line);
  assert.ok(line.includes(`slice ${LESION_SLICE}: ⚠ Out of distribution`));
});

test('classify on a volume without a guard: peaks without verdict fields, text without verdicts', () => {
  const result = runCli(['classify', volume, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const [row] = JSON.parse(result.stdout).results as VolumeRow[];
  assert.deepEqual(Object.keys(row!), ['kind', 'file', 'axis', 'labels', 'slices', 'peaks', 'sliceCount', 'top']);
  for (const peak of row!.peaks) assert.deepEqual(Object.keys(peak), ['label', 'slice', 'probability']);
  assert.deepEqual(Object.keys(row!.top), ['label', 'probability', 'slice']);
  const text = runCli(['classify', volume]);
  assert.match(text.stdout, /^\S+volume\.nii {2}axial 4 slices {2}peaks: glioma \d\.\d{3}@\d {2}meningioma \d\.\d{3}@\d {2}notumor \d\.\d{3}@\d {2}pituitary \d\.\d{3}@\d\n$/);
});
