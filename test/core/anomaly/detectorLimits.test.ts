import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDetector } from '../../../src/core/anomaly/detectorFile';
import { encodeNpy } from '../../../src/core/anomaly/npy';

/** A valid PatchCore detector.json, but for the sizes each test sets. */
function baseManifest(): Record<string, Record<string, unknown>> {
  return {
    schema: 'scanlens.detector/1',
    method: 'patchcore',
    scanlens: '0.0.0-test',
    backbone: { name: 'brain-mri-demo', sha256: '0'.repeat(64), path: 'backbone/model.json' },
    features: { layers: ['/features/features.4/Relu_output_0'], grid: {}, channels: [], seed: 3 },
    map: { sigma: 4 },
    threshold: { value: 1.5, percentile: 90, calibration: { images: 2, min: 0.5, max: 2, mean: 1.25 } },
    training: { images: 8, failed: 1 },
  } as unknown as Record<string, Record<string, unknown>>;
}

/** A PatchCore detector folder with a bank of `rows` × `channels` zeros (unless `bankFile` is false) and the given grid and declared bank size. */
function patchcoreFolder(options: { grid: number; channels: number; rows: number; declaredRows?: number; bankFile?: boolean }): string {
  const dir = mkdtempSync(join(tmpdir(), 'scanlens-detector-limits-'));
  const manifest = baseManifest();
  const features = manifest['features']!;
  features['grid'] = { width: options.grid, height: options.grid };
  features['channels'] = Array.from({ length: options.channels }, (_, i) => i);
  manifest['parameters'] = { bank: options.declaredRows ?? options.rows };
  let sha = '0'.repeat(64);
  if (options.bankFile !== false) {
    const bytes = encodeNpy({ dtype: '<f4', shape: [options.rows, options.channels], data: new Float32Array(options.rows * options.channels) });
    writeFileSync(join(dir, 'patchcore-bank.npy'), bytes);
    sha = createHash('sha256').update(bytes).digest('hex');
  }
  manifest['arrays'] = { bank: { file: 'patchcore-bank.npy', sha256: sha } };
  writeFileSync(join(dir, 'detector.json'), JSON.stringify(manifest));
  return dir;
}

function refused(dir: string, reason: RegExp): (error: Error) => boolean {
  return (error: Error) => {
    assert.equal(error.name, 'ScanLensError');
    assert.ok(error.message.startsWith(`${join(dir, 'detector.json')}: `), error.message);
    assert.ok(!error.message.includes('\n'));
    assert.match(error.message, reason);
    return true;
  };
}

test('a 16 KB detector declaring a 1024² grid of 4096 channels is refused from its manifest', async () => {
  const dir = patchcoreFolder({ grid: 1024, channels: 4096, rows: 1 });
  await assert.rejects(loadDetector(dir), refused(dir, /detector manifest field 'features': a 1024×1024 grid of 4096 channels is 4294967296 feature values per image, over the limit of 16777216$/));
});

test('a PatchCore bank size over the limit is refused before its array is read', async () => {
  // No array file at all: the refusal comes from the manifest alone.
  const dir = patchcoreFolder({ grid: 2, channels: 4096, rows: 40_000, bankFile: false });
  await assert.rejects(loadDetector(dir), refused(dir, /field 'parameters\.bank': 40000 rows of 4096 channels is 163840000 values, over the limit of 134217728$/));
  const missing = patchcoreFolder({ grid: 2, channels: 2, rows: 0, bankFile: false });
  await assert.rejects(loadDetector(missing), refused(missing, /field 'parameters\.bank': must be the memory bank's row count/));
});

test('a bank whose rows differ from the declared size is refused; a small detector within the limits loads', async () => {
  const lying = patchcoreFolder({ grid: 2, channels: 2, rows: 3, declaredRows: 1 });
  await assert.rejects(loadDetector(lying), /memory bank has 3 rows, the manifest says 1/);
  const dir = patchcoreFolder({ grid: 64, channels: 4096, rows: 3 });
  const loaded = await loadDetector(dir);
  assert.equal(loaded.manifest.features.channels.length, 4096);
});
