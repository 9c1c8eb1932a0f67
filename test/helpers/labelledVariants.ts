import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { random } from '../../src/core/explain/seededRandom';
import { loadScan } from '../../src/core/scan/loadScan';
import { ROOT } from './paths';
import { writePng } from './pngWriter';

export const SAMPLE_CLASSES = ['glioma', 'meningioma', 'notumor', 'pituitary'] as const;

/**
 * A labelled folder (one sub-folder per class) of `perClass` variants of each
 * class's samples: shifted by up to 6 pixels, mirrored or not, with seeded
 * noise and a contrast change, so a probe has enough distinct scans to fit,
 * cross-validate and calibrate on. Every `mislabelEvery`-th variant is filed
 * under the next class, as label noise (so a probe makes mistakes to
 * calibrate on). Deterministic for a seed. `root` is the repository whose
 * samples/ are read (the VS Code suite runs from its bundle, elsewhere).
 */
export async function writeLabelledVariants(folder: string, perClass: number, seed: number, mislabelEvery = 0, root = ROOT): Promise<void> {
  const next = random(seed);
  for (const label of SAMPLE_CLASSES) {
    mkdirSync(join(folder, label), { recursive: true });
    const sources = readdirSync(join(root, 'samples')).filter((f) => f.startsWith(`${label}-`) && f.endsWith('.png'));
    const scans = await Promise.all(sources.map((f) => loadScan(join(root, 'samples', f))));
    for (let k = 0; k < perClass; k++) {
      const scan = scans[k % scans.length]!;
      const [, height, width] = scan.shape;
      const [dx, dy] = [Math.round((next() - 0.5) * 12), Math.round((next() - 0.5) * 12)];
      const mirror = next() < 0.5;
      const gain = 0.8 + 0.4 * next();
      const samples = new Uint8Array(width * height);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const sx = Math.min(width - 1, Math.max(0, (mirror ? width - 1 - x : x) + dx));
          const sy = Math.min(height - 1, Math.max(0, y + dy));
          const v = Number(scan.voxels[(sy * width + sx) * scan.channels]) * gain + (next() - 0.5) * 20;
          samples[y * width + x] = Math.min(255, Math.max(0, Math.round(v)));
        }
      }
      const filed = mislabelEvery > 0 && k % mislabelEvery === mislabelEvery - 1 ? SAMPLE_CLASSES[(SAMPLE_CLASSES.indexOf(label) + 1) % SAMPLE_CLASSES.length]! : label;
      mkdirSync(join(folder, filed), { recursive: true });
      writeFileSync(join(folder, filed, `${label}-${String(k).padStart(3, '0')}.png`), writePng({ width, height, colourType: 0, bitDepth: 8, samples }));
    }
  }
}
