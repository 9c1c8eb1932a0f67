import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { niftiInt16Header } from './niftiHeader';
import { ROOT } from './paths';

/**
 * The axial slices of the guarded test volume, in order: three normal slices
 * the demo detector (see guardedModel.ts) passes, and, on the edge, a lesion
 * slice it flags. Glioma and notumor peak on normal slices, meningioma and
 * pituitary on the lesion: four peaks on three distinct slices.
 */
export const VOLUME_SLICES = ['normal/normal-03.png', 'normal/normal-04.png', 'normal/normal-06.png', 'lesion/meningioma-02.png'] as const;
export const LESION_SLICE = 3;

/**
 * Writes the volume as an int16 NIfTI at `path`. Each 128² sample is stored
 * turned half a circle: without orientation the stored axes count as RAS, and
 * radiological display flips both in-plane axes, so the axial slices the
 * classifier and the guard see are the samples upright. `root` is the
 * repository, for the VS Code suites, which run bundled under dist/.
 */
export async function writeGuardedVolume(path: string, root = ROOT): Promise<string> {
  const side = 128;
  const plane = side * side;
  const data = Buffer.alloc(plane * 2 * VOLUME_SLICES.length);
  for (const [z, name] of VOLUME_SLICES.entries()) {
    const { voxels } = await loadScan(join(root, 'samples', 'anomaly', name), DEFAULT_LIMITS);
    for (let i = 0; i < plane; i++) data.writeInt16LE(Number(voxels[i]), (z * plane + plane - 1 - i) * 2);
  }
  writeFileSync(path, Buffer.concat([niftiInt16Header(side, side, VOLUME_SLICES.length), data]));
  return path;
}
