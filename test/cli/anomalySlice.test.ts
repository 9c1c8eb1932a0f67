import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { SLICE_AXES, type SliceAxis } from '../../src/core/scan/reslice';
import type { Scan } from '../../src/core/scan/scan';
import { chooseSlice, cutSlice } from '../../src/core/scan/sliceChoice';
import { guardedDemoModel } from '../helpers/guardedModel';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT, fixture } from '../helpers/paths';
import { writePng } from '../helpers/pngWriter';
import { runCli } from '../helpers/runCli';

// Derived models go to a fresh folder, never the user's cache; runCli's children inherit it.
const work = mkdtempSync(join(tmpdir(), 'scanlens-cli-anomaly-slice-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(() => rmSync(work, { recursive: true, force: true }));

const DEMO = join(ROOT, 'models', 'brain-mri-demo-padim');
const ANATOMICAL = '/usr/lib/python3/dist-packages/nibabel/tests/data/anatomical.nii';
const volume = join(work, 'volume.nii');
/** The demo detector with its backbone reading intensities per slice (minmax): see sliceAsPng. */
const minmaxDetector = join(work, 'padim-minmax');
let guardedModel: string;

before(async () => {
  await writeGuardedVolume(volume);
  guardedModel = guardedDemoModel(work);
  cpSync(DEMO, minmaxDetector, { recursive: true });
  const backbone = join(minmaxDetector, 'backbone', 'model.json');
  const manifest = JSON.parse(readFileSync(backbone, 'utf8')) as { input: Record<string, unknown> };
  writeFileSync(backbone, JSON.stringify({ ...manifest, input: { ...manifest.input, intensity: { mode: 'minmax' } } }));
});

interface SliceUsed {
  axis: SliceAxis | null;
  index: number;
  count: number;
}

interface Row {
  file: string;
  score?: number;
  label?: string;
  threshold?: number;
  slice?: SliceUsed;
  map?: string;
  error?: string;
}

function score(args: readonly string[], status = 0): Row[] {
  const result = runCli(['anomaly', 'score', ...args, '--json']);
  assert.equal(result.status, status, result.stderr);
  return (JSON.parse(result.stdout) as { results: Row[] }).results;
}

/**
 * Slice k along `axis` as classify and explain cut it (chooseSlice, cutSlice),
 * written as a grey PNG whose values give the model the very same input:
 * - 'stored': 8-bit, the stored values, for a volume whose value range is
 *   0…255 like an 8-bit PNG's (the guarded volume), so the demo detector's
 *   `range` intensity maps both alike;
 * - 'shifted': 16-bit, the values less the slice's minimum, for a detector
 *   whose backbone maps each slice's own min…max to 0…1 (minmax), which a
 *   shift leaves unchanged: any volume's value range then maps alike.
 */
function sliceAsPng(scan: Scan, axis: SliceAxis, index: number, kind: 'stored' | 'shifted', path: string): SliceUsed {
  const choice = chooseSlice(scan, { axis, slice: index });
  const plane = cutSlice(scan, choice);
  assert.equal(plane.channels, 1);
  assert.equal(plane.rescale, undefined);
  const values = Array.from(plane.voxels, Number);
  const low = kind === 'stored' ? 0 : Math.min(...values);
  const samples = values.map((v) => v - low);
  assert.ok(
    samples.every((v) => Number.isInteger(v) && v >= 0 && v <= (kind === 'stored' ? 255 : 65535)),
    `${axis} ${index} fits a PNG`,
  );
  writeFileSync(path, writePng({ width: plane.shape[2], height: plane.shape[1], colourType: 0, bitDepth: kind === 'stored' ? 8 : 16, samples }));
  return { axis: choice.axis, index: choice.index, count: choice.count };
}

interface Case {
  readonly file: string;
  readonly detector: string;
  readonly png: 'stored' | 'shifted';
}

const CASES: Case[] = [
  { file: volume, detector: DEMO, png: 'stored' },
  { file: volume, detector: minmaxDetector, png: 'shifted' },
  { file: fixture('nifti', 'ras-grid.nii'), detector: minmaxDetector, png: 'shifted' },
  ...(existsSync(ANATOMICAL) ? [{ file: ANATOMICAL, detector: minmaxDetector, png: 'shifted' as const }] : []),
];

for (const [n, { file, detector, png }] of CASES.entries()) {
  test(`anomaly score --axis A --slice k scores the slice classify and explain cut, as a PNG of it scores (${basename(file)}, ${basename(detector)}); --maps draws that slice`, async () => {
    const scan = await loadScan(file, DEFAULT_LIMITS);
    const dir = join(work, `case-${n}`);
    const [pngs, volumeMaps, pngMaps] = [join(dir, 'slices'), join(dir, 'volume-maps'), join(dir, 'png-maps')];
    mkdirSync(pngs, { recursive: true });
    const stem = basename(file).replace(/\.nii(\.gz)?$/, '');
    const expected = new Map<string, { slice: SliceUsed; row: Row }>();
    for (const axis of SLICE_AXES) {
      const count = chooseSlice(scan, { axis }).count;
      for (const k of [...new Set([0, Math.floor(count / 3), count - 1])]) {
        const slice = sliceAsPng(scan, axis, k, png, join(pngs, `${stem}-${axis}-${k}.png`));
        const [row] = score([file, '--detector', detector, '--axis', axis, '--slice', String(k), ...(png === 'stored' ? ['--maps', volumeMaps] : [])]);
        assert.deepEqual(row!.slice, { axis, index: k, count }, `${axis} ${k}: the row says which slice it scored`);
        expected.set(`${stem}-${axis}-${k}.png`, { slice, row: row! });
      }
    }
    const rows = score([pngs, '--detector', detector, ...(png === 'stored' ? ['--maps', pngMaps] : [])]);
    assert.equal(rows.length, expected.size);
    for (const row of rows) {
      const { slice, row: fromVolume } = expected.get(basename(row.file))!;
      assert.deepEqual(row.slice, { axis: null, index: 0, count: 1 }, 'a PNG is one 2D image');
      assert.ok(Math.abs(row.score! - fromVolume.score!) <= 1e-6, `${slice.axis} slice ${slice.index}: volume ${fromVolume.score}, PNG ${row.score}`);
      assert.equal(row.label, fromVolume.label);
      assert.equal(row.threshold, fromVolume.threshold);
    }
    if (png === 'stored') {
      // Each volume map is named by its slice and is, byte for byte, the map --maps draws over the PNG of that slice.
      const names = readdirSync(volumeMaps).sort();
      assert.deepEqual(names, [...expected.keys()].map((p) => p.replace(/\.png$/, '-anomaly.png')).sort());
      for (const name of names) assert.ok(readFileSync(join(volumeMaps, name)).equals(readFileSync(join(pngMaps, name))), name);
    }
  });
}

interface Peak {
  label: string;
  slice: number;
  anomalyScore?: number;
  anomalyThreshold?: number;
  flag?: string;
}

const GUARDED_VOLUMES: [string, readonly SliceAxis[]][] = [[volume, ['axial']], ...(existsSync(ANATOMICAL) ? [[ANATOMICAL, SLICE_AXES] as [string, readonly SliceAxis[]]] : [])];

test("the guarded classifier's verdict on each peak slice is anomaly score's on that slice (same score, same threshold, flagged exactly when anomalous)", () => {
  const detector = join(work, 'padim');
  for (const [file, axes] of GUARDED_VOLUMES) {
    for (const axis of axes) {
      const classified = runCli(['classify', file, '--model', guardedModel, '--axis', axis, '--json']);
      assert.equal(classified.status, 0, classified.stderr);
      const { peaks, slices } = (JSON.parse(classified.stdout) as { results: { peaks: Peak[]; slices: unknown[] }[] }).results[0]!;
      for (const s of [...new Set(peaks.map((p) => p.slice))]) {
        const [row] = score([file, '--detector', detector, '--axis', axis, '--slice', String(s)]);
        assert.deepEqual(row!.slice, { axis, index: s, count: slices.length });
        for (const peak of peaks.filter((p) => p.slice === s)) {
          const where = `${basename(file)} ${axis} slice ${s} (${peak.label})`;
          assert.ok(Math.abs(peak.anomalyScore! - row!.score!) <= 1e-6, `${where}: guard ${peak.anomalyScore}, anomaly score ${row!.score}`);
          assert.equal(peak.anomalyThreshold, row!.threshold);
          assert.equal(peak.flag === OUT_OF_DISTRIBUTION, row!.label === 'anomalous', where);
        }
        if (file === volume) assert.equal(row!.label, s === LESION_SLICE ? 'anomalous' : 'normal', `guarded volume slice ${s}`);
      }
    }
  }
});

test('without --slice a volume is scored at its middle axial slice, and the text says which; eval takes --axis/--slice too', () => {
  const text = runCli(['anomaly', 'score', volume, 'samples/anomaly/normal/normal-01.png', '--detector', DEMO]);
  assert.equal(text.status, 0, text.stderr);
  const middle = Math.floor(VOLUME_SLICES.length / 2);
  const [volumeLine, imageLine] = text.stdout.trimEnd().split('\n');
  assert.match(volumeLine!, new RegExp(`volume\\.nii  axial slice ${middle} of ${VOLUME_SLICES.length}  \\d+\\.\\d{4}  normal$`));
  assert.match(imageLine!, /^samples\/anomaly\/normal\/normal-01\.png {2}\d+\.\d{4} {2}normal$/, 'an image row as before');
  const [defaulted, image] = score([volume, 'samples/anomaly/normal/normal-01.png', '--detector', DEMO]);
  assert.deepEqual(defaulted!.slice, { axis: 'axial', index: middle, count: VOLUME_SLICES.length });
  assert.deepEqual(image!.slice, { axis: null, index: 0, count: 1 });

  const [lesion] = score([volume, '--detector', DEMO, '--slice', String(LESION_SLICE)]);
  const [normalDir, anomalousDir] = [join(work, 'eval-normal'), join(work, 'eval-anomalous')];
  for (const dir of [normalDir, anomalousDir]) {
    mkdirSync(dir);
    copyFileSync(volume, join(dir, 'volume.nii'));
  }
  const evaluated = runCli(['anomaly', 'eval', normalDir, anomalousDir, '--detector', DEMO, '--axis', 'axial', '--slice', String(LESION_SLICE), '--json']);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const { results } = JSON.parse(evaluated.stdout) as { results: { normal: Row[]; anomalous: Row[] } };
  for (const row of [...results.normal, ...results.anomalous]) {
    assert.deepEqual(row.slice, { axis: 'axial', index: LESION_SLICE, count: VOLUME_SLICES.length });
    assert.ok(Math.abs(row.score! - lesion!.score!) <= 1e-6);
  }
});

test('a slice a file does not have is an error row naming the file; the other files are still scored', () => {
  const rows = score([volume, 'samples/anomaly/normal/normal-01.png', '--detector', DEMO, '--axis', 'sagittal', '--slice', '200'], 2);
  assert.match(rows[0]!.error!, /volume\.nii: slice 200 is outside 0…127 \(128 sagittal slices\)$/);
  assert.match(rows[1]!.error!, /normal-01\.png: is a single 2D image: it has no sagittal slices$/);
  const [sagittal] = score([volume, '--detector', DEMO, '--axis', 'sagittal', '--slice', '64']);
  assert.deepEqual(sagittal!.slice, { axis: 'sagittal', index: 64, count: 128 });
  const bad = runCli(['anomaly', 'score', volume, '--detector', DEMO, '--slice', '-1']);
  assert.equal(bad.status, 1);
});
