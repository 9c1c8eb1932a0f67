import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { saveDetector } from '../../src/core/anomaly/detectorFile';
import type { DetectorManifest } from '../../src/core/anomaly/detectorManifest';
import { PadimDetector } from '../../src/core/anomaly/padim/padimDetector';
import { PatchcoreDetector } from '../../src/core/anomaly/patchcore/patchcoreDetector';
import { FIXTURES } from '../helpers/paths';

/**
 * Writes the detector fuzz seeds (test/fixtures/fuzz-seeds/detectors/): one
 * tiny PaDiM and one tiny PatchCore detector, 2×2 grid, 2 channels, with
 * their arrays. Run with `node --import tsx test/fuzz/makeDetectorSeeds.ts`.
 */

const out = join(FIXTURES, 'fuzz-seeds', 'detectors');

function manifest(method: 'padim' | 'patchcore'): Omit<DetectorManifest, 'arrays' | 'parameters'> {
  return {
    schema: 'scanlens.detector/1',
    method,
    scanlens: '0.0.0-fuzz',
    backbone: { name: 'brain-mri-demo', sha256: '0'.repeat(64), path: 'backbone/model.json' },
    features: { layers: ['/features/features.4/Relu_output_0'], grid: { width: 2, height: 2 }, channels: [3, 7], seed: 3 },
    map: { sigma: 4 },
    threshold: { value: 1.5, percentile: 90, calibration: { images: 2, min: 0.5, max: 2, mean: 1.25 } },
    training: { images: 8, failed: 1 },
  };
}

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  for (const method of ['padim', 'patchcore'] as const) mkdirSync(join(out, method), { recursive: true });
  // Per position: mean (2 values) and L's packed lower triangle [l00, l10, l11], positive diagonal.
  const mean = Float32Array.from([0, 1, 0.5, -0.5, 2, 0, 1, 1]);
  const cholesky = Float32Array.from([1, 0.1, 2, 0.5, 0, 1, 1.5, -0.2, 0.7, 1, 0, 1]);
  await saveDetector(join(out, 'padim'), manifest('padim'), new PadimDetector(4, 2, mean, cholesky, 0.01));
  await saveDetector(join(out, 'patchcore'), manifest('patchcore'), new PatchcoreDetector(Float32Array.from([0, 1, 1, 0, 0.5, 0.5]), 2));
}

void main();
