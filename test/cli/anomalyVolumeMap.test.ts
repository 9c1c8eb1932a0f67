import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { isScored, openAnomalyScorer, scoreFile } from '../../src/core/jobs/anomalyJob';
import { releaseModels } from '../../src/core/model/modelCache';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { reslicedSlice } from '../../src/core/scan/reslice';
import { LESION_SLICE, VOLUME_SLICES, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { DEMO_DETECTOR, volumeScoreRows, type VolumeScoreRow } from '../helpers/volumeScoreRows';

const PYTHON = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'scanlens-anomaly-volume-map-'));
process.env['SCANLENS_CACHE_DIR'] = work;
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

const SIDE = 128;
const plain = join(work, 'volume.nii');
const turned = join(work, 'turned.nii');

/**
 * The guarded volume stored another way round. The plain one has no
 * orientation, so (as nibabel reads it) x runs to the left, y anterior, z
 * superior, centred; this one's voxel (i, j, k) runs S, R, A, so turned[i, j, k]
 * = plain[x = 127 − j, y = k, z = i] is the same point. Its display slices are
 * the plain volume's; its map must land on its own permuted, flipped voxels.
 */
function writeTurned(): void {
  const source = readFileSync(plain);
  const n = VOLUME_SLICES.length;
  const header = Buffer.from(source.subarray(0, 352));
  [3, n, SIDE, SIDE, 1, 1, 1, 1].forEach((d, i) => header.writeInt16LE(d, 40 + i * 2));
  header.writeInt16LE(0, 252);
  header.writeInt16LE(1, 254);
  const srow = [
    [0, 1, 0, -(SIDE - 1) / 2],
    [0, 0, 1, -(SIDE - 1) / 2],
    [1, 0, 0, -(n - 1) / 2],
  ];
  srow.forEach((row, r) => row.forEach((v, c) => header.writeFloatLE(v, 280 + 16 * r + 4 * c)));
  const data = Buffer.alloc(n * SIDE * SIDE * 2);
  for (let k = 0; k < SIDE; k++)
    for (let j = 0; j < SIDE; j++) for (let i = 0; i < n; i++) data.writeInt16LE(source.readInt16LE(352 + 2 * ((i * SIDE + k) * SIDE + (SIDE - 1 - j))), 2 * ((k * SIDE + j) * n + i));
  writeFileSync(turned, Buffer.concat([header, data]));
}

before(async () => {
  await writeGuardedVolume(plain);
  writeTurned();
});

const score = (args: readonly string[], status = 0): VolumeScoreRow => volumeScoreRows(args, status)[0]!;

/** nibabel's view of the saved maps: affines, shapes, where the finite maximum lies, and the turned map brought back to the plain layout. */
function nibabel(
  pairs: { map: string; volume: string }[],
  turnedMap: string,
  plainMap: string,
): { maps: { same: boolean; shape: number[]; argmax: number[]; max: number }[]; turnedEqual: number; zMax: number[] } {
  const script = `
import json, sys, nibabel as nib, numpy as np
pairs, turned, plain = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
out = []
for p in pairs:
    m, v = nib.load(p['map']), nib.load(p['volume'])
    d = np.asarray(m.dataobj, dtype=np.float64)
    out.append({'same': bool(np.array_equal(m.affine, v.affine)) and m.shape == v.shape, 'shape': list(m.shape),
                'argmax': [int(i) for i in np.unravel_index(np.nanargmax(d), d.shape)], 'max': float(np.nanmax(d))})
t = np.asarray(nib.load(turned).dataobj, dtype=np.float64)
p = np.asarray(nib.load(plain).dataobj, dtype=np.float64)
# turned[i, j, k] = plain[127 - j, k, i]
back = np.transpose(t, (1, 2, 0))[::-1, :, :]
print(json.dumps({'maps': out, 'turnedEqual': float(np.max(np.abs(back - p))), 'zMax': [float(np.nanmax(p[:, :, z])) for z in range(p.shape[2])]}))
`;
  const result = spawnSync(PYTHON, ['-c', script, JSON.stringify(pairs), turnedMap, plainMap], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as ReturnType<typeof nibabel>;
}

test('anomaly score --volume --out writes the 3D map on the volume’s voxels: same affine (nibabel), its maximum on the lesion slice, in the stored layout of a turned volume too', () => {
  const plainMap = join(work, 'plain-map.nii.gz');
  const turnedMap = join(work, 'turned-map.nii');
  const row = score([plain, '--volume', '--out', plainMap]);
  assert.equal(row.nifti, plainMap);
  assert.deepEqual(row.slice, { axis: 'axial', index: LESION_SLICE, count: VOLUME_SLICES.length });
  const other = score([turned, '--volume', '--out', turnedMap]);
  assert.deepEqual(other.slice, row.slice);
  other.profile!.forEach((value, k) => assert.ok(Math.abs(value - row.profile![k]!) <= 1e-6 * value, `slice ${k}: ${value} turned, ${row.profile![k]} plain`));
  const checked = nibabel(
    [
      { map: plainMap, volume: plain },
      { map: turnedMap, volume: turned },
    ],
    turnedMap,
    plainMap,
  );
  const [p, t] = checked.maps;
  assert.ok(p!.same && t!.same, JSON.stringify(checked));
  assert.deepEqual(p!.shape, [SIDE, SIDE, VOLUME_SLICES.length]);
  assert.equal(p!.argmax[2], LESION_SLICE, 'plain: stored z of the maximum');
  assert.equal(t!.argmax[0], LESION_SLICE, 'turned: stored i (superior) of the maximum');
  assert.ok(checked.turnedEqual <= 1e-4 * p!.max, `turned map against plain map: ${checked.turnedEqual}`);
  // The detector's input is 128², as the slices are, so each slice's map comes over as the detector made it: its maximum is the slice's score (PaDiM's score is its map's maximum).
  checked.zMax.forEach((max, z) => assert.ok(Math.abs(max - row.profile![z]!) <= 1e-5 * row.profile![z]!, `stored z ${z}: map maximum ${max}, slice score ${row.profile![z]}`));
  const text = runCli(['anomaly', 'score', plain, '--volume', '--out', plainMap, '--detector', DEMO_DETECTOR]);
  assert.match(text.stdout, new RegExp(`highest at slice ${LESION_SLICE}  \\d+\\.\\d{4}  anomalous  → ${plainMap.replace(/[.\\]/g, '\\$&')}\\n$`));
});

test('the saved map’s lesion slice is the 2D slice map of that slice scored alone (the values anomaly eval compares with masks)', async () => {
  const out = join(work, 'map.nii');
  score([plain, '--volume', '--out', out]);
  const scorer = await openAnomalyScorer(DEMO_DETECTOR);
  const alone = await scoreFile(scorer, plain, { slice: LESION_SLICE, sliceMaps: true });
  assert.ok(isScored(alone) && alone.sliceMap);
  const saved = reslicedSlice(await loadScan(out, DEFAULT_LIMITS), 'axial', LESION_SLICE);
  assert.deepEqual(saved.shape, [1, alone.sliceMap.height, alone.sliceMap.width]);
  let worst = 0;
  for (let i = 0; i < saved.voxels.length; i++) worst = Math.max(worst, Math.abs(Number(saved.voxels[i]) - alone.sliceMap.data[i]!));
  assert.ok(worst <= 1e-5 * alone.score, `largest difference ${worst} (score ${alone.score})`);
});

test('--out refuses in one line: without --volume, another extension, more than one scan; a 2D image is an error row', () => {
  const refuse = (args: string[], message: string): void => {
    const result = runCli(['anomaly', 'score', ...args, '--detector', DEMO_DETECTOR]);
    assert.equal(result.status, 1, result.stdout);
    assert.equal(result.stderr.trim(), `scanlens: ${message}`);
  };
  refuse([plain, '--out', join(work, 'a.nii')], '--out writes the 3D map of a volume scored whole: add --volume');
  refuse([plain, '--volume', '--out', join(work, 'a.png')], `${join(work, 'a.png')}: --out writes the volume's 3D anomaly map as .nii or .nii.gz`);
  refuse([plain, turned, '--volume', '--out', join(work, 'a.nii')], "--out writes one volume's map: give one volume, not 2 scans");
  const image = join(ROOT, 'samples', 'anomaly', 'normal', 'normal-03.png');
  const row = score([image, '--volume', '--out', join(work, 'b.nii')], 2);
  assert.equal(row.error, `${image}: is a single 2D image: --out writes the 3D map of a volume`);
});
