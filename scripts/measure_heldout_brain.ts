/**
 * Measures anomaly detector settings on the held-out different-brain check
 * (test/fixtures/heldout-brain, made by scripts/reference/make_heldout_brain.py):
 * the numbers behind docs/anomaly.md's "Choosing the default".
 *
 *   node --import tsx scripts/measure_heldout_brain.ts '[{"method":"padim"},{"method":"patchcore","coreset":0.01,"fit":"same"}]'
 *
 * Each setting: backbone (a model path; default the demo classifier), method,
 * and any of layers, channels, grid {width, height}, neighbourhood, coreset,
 * sigma; fit "fit" (ch2, the cross-brain protocol, default) or "same" (other
 * slices of the scored brain). Prints one line per setting: AUROC, fit and
 * scoring times. HELDOUT_FIXTURES names another fixture folder of the same
 * layout (another seed of the script, or heldout_brain_baselines.py normalise's copy).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { METHODS } from '../src/core/anomaly/detector';
import { fitInMemory } from '../src/core/anomaly/fitDetector';
import { auroc } from '../src/core/anomaly/metrics';
import { scoreFile } from '../src/core/anomaly/scoreInput';
import { getModel, releaseModels } from '../src/core/model/modelCache';

const Setting = z.strictObject({
  backbone: z.string().default(join('models', 'brain-mri-demo', 'model.json')),
  method: z.enum(METHODS),
  layers: z.array(z.string()).optional(),
  channels: z.number().int().positive().optional(),
  grid: z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() }).optional(),
  neighbourhood: z.number().int().positive().optional(),
  coreset: z.number().positive().optional(),
  sigma: z.number().min(0).optional(),
  fit: z.enum(['fit', 'same']).default('fit'),
});

const FIXTURES = process.env['HELDOUT_FIXTURES'] ?? join('test', 'fixtures', 'heldout-brain');
const files = (folder: string): string[] =>
  readdirSync(join(FIXTURES, folder))
    .sort()
    .map((name) => join(FIXTURES, folder, name));

async function main(): Promise<void> {
  const settings = z.array(Setting).parse(JSON.parse(process.argv[2] ?? '[{"method":"padim"}]'));
  for (const setting of settings) {
    const started = Date.now();
    const backbone = await getModel(setting.backbone);
    const fitted = await fitInMemory(files(setting.fit), { ...setting, backbone, seed: 0, percentile: 95 });
    const fitMs = Date.now() - started;
    const scores: number[] = [];
    const anomalous: boolean[] = [];
    for (const [folder, lesion] of [
      ['normal', false],
      ['lesion', true],
    ] as const) {
      for (const file of files(folder)) {
        scores.push((await scoreFile(file, fitted.features, fitted.detector, fitted.manifest.map.sigma)).score);
        anomalous.push(lesion);
      }
    }
    const { layers, grid, channels } = fitted.features.spec;
    console.log(
      `${JSON.stringify(setting)}: AUROC ${auroc({ scores, anomalous }).toFixed(3)} (${layers.join(' + ')}, ${channels.length} channels, ${grid.width}×${grid.height}; fit ${fitMs} ms, scoring ${((Date.now() - started - fitMs) / scores.length).toFixed(0)} ms per slice)`,
    );
  }
  await releaseModels();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
