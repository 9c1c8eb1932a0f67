import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadScan } from '../../src/core/scan/loadScan';
import { voxelOf } from '../helpers/voxelOf';
import { fixture } from '../helpers/paths';
import { runCli } from '../helpers/runCli';

/**
 * The Done-means alignment check through the CLI: a lesion at known world
 * coordinates in a volume stored oblique, non-RAS and anisotropic, explained
 * by a 3D blob detector (scripts/reference/make_3d_inverse_reference.py);
 * the map saved with --out as NIfTI must peak within one voxel of it.
 */
const folder = fixture('volume3d', 'alignment');
const lesion = (JSON.parse(readFileSync(join(folder, 'lesion.json'), 'utf8')) as { world: [number, number, number] }).world;
const work = mkdtempSync(join(tmpdir(), 'scanlens-explain-alignment-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('scanlens explain --out map.nii.gz on a lesion at known world coordinates (oblique, non-RAS, anisotropic volume): the saved map lies on the scan’s affine and peaks within one voxel of the lesion', async () => {
  const volume = join(folder, 'volume.nii.gz');
  const out = join(work, 'map.nii.gz');
  const result = runCli(['explain', volume, '--model', join(folder, 'model.json'), '--class', 'lesion', '--out', out, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const scan = await loadScan(volume);
  const map = await loadScan(out);
  assert.deepEqual(map.shape, scan.shape);
  assert.deepEqual(map.affine, scan.affine);
  const [depth, height, width] = scan.shape;
  let best = 0;
  for (let i = 1; i < map.voxels.length; i++) if (map.voxels[i]! > map.voxels[best]!) best = i;
  const found = [best % width, Math.floor(best / width) % height, Math.floor(best / (width * height))];
  assert.ok(best < width * height * depth);
  const expected = voxelOf(scan.affine!, lesion);
  assert.ok(
    found.every((v, a) => Math.abs(v - expected[a]!) <= 1),
    `map peaks at voxel (${found.join(', ')}), the lesion is at (${expected.map((v) => v.toFixed(2)).join(', ')})`,
  );
  // The JSON's peak names the same place.
  const { peak } = JSON.parse(result.stdout) as { peak: { voxel: number[] | null } };
  assert.ok(peak.voxel && peak.voxel.every((v, a) => Math.abs(v - expected[a]!) <= 1), `JSON peak voxel ${JSON.stringify(peak.voxel)}`);
});
