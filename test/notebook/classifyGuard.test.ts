import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { fitDetector } from '../../src/core/anomaly/fitDetector';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { createImage } from '../../src/core/image';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { encodePng } from '../../src/core/render/png';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';

/** Deterministic white noise in [0,1) (the classic shader hash), so the test image is the same on every run. */
const noise = (x: number, y: number): number => (((Math.sin(x * 12.9898 + y * 78.233) * 43758.5453) % 1) + 1) % 1;

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-notebook-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

test('classify with a guarded model: the flag reaches the +json payload, and the warning the markdown and the text', async () => {
  // A detector fitted on all demo samples (the classifier's own distribution), named by a copy of the demo manifest.
  const samples = join(ROOT, 'samples');
  const files = readdirSync(samples)
    .filter((f) => f.endsWith('.png'))
    .map((f) => join(samples, f));
  const backbonePath = join(ROOT, 'models', 'brain-mri-demo', 'model.json');
  const backbone = await getModel(backbonePath, { threads: 2 });
  await fitDetector(files, { method: 'padim', backbone, out: join(work, 'guarded', 'detector'), channels: 8, seed: 0, percentile: 95, threads: 2, cacheDir: work });
  cpSync(join(ROOT, 'models', 'brain-mri-demo'), join(work, 'guarded'), { recursive: true });
  const manifest = JSON.parse(readFileSync(backbonePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(join(work, 'guarded', 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: 'detector' } }));
  const image = createImage(128, 128);
  for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) image.data[y * 128 + x] = noise(x, y);
  writeFileSync(join(work, 'noise.png'), await encodePng(image));
  cpSync(join(samples, 'glioma-01.png'), join(work, 'glioma-01.png'));

  const session = new NotebookSession({ baseDir: work, defaultModelPath: join(work, 'guarded', 'model.json'), threads: 1 });
  const run = await executeCell(session, 'classify glioma-01.png noise.png');
  assert.ok(run.ok);
  const table = run.outputs[0] as DisplayOutput;
  const result = NotebookResultSchema.parse(table.data[SCANLENS_RESULT_MIME]);
  assert.equal(result.kind, 'classify');
  const [brain, odd] = result.kind === 'classify' ? result.rows : [];
  assert.ok(brain && 'probabilities' in brain && odd && 'probabilities' in odd);
  assert.equal(brain.flag, undefined);
  assert.ok(brain.anomalyScore! < brain.anomalyThreshold!);
  assert.equal(odd.flag, OUT_OF_DISTRIBUTION);
  assert.ok(odd.anomalyScore! >= odd.anomalyThreshold!);
  // Jupyter and GitHub show these copies, not the renderer: the warning comes first, naming the flagged file only.
  const two = (n: number): string => n.toFixed(2);
  const warning = `Out of distribution (anomaly score ${two(odd.anomalyScore!)} ≥ threshold ${two(odd.anomalyThreshold!)}): this scan is unlike the data the model was trained on, so its probabilities should not be trusted.`;
  const markdown = String(table.data['text/markdown']);
  const [quote, tableMarkdown] = markdown.split('\n\n');
  assert.equal(quote, `> ⚠️ **Out of distribution: 1 of 2 file(s)**\n>\n> - noise.png: ${warning}`);
  assert.match(tableMarkdown!.split('\n')[0]!, /\| error \| anomaly score \| flag \|$/);
  assert.match(tableMarkdown!, new RegExp(`noise\\.png .*${OUT_OF_DISTRIBUTION}`));
  const [brainText, oddText] = String(table.data['text/plain']).split('\n');
  assert.match(
    brainText!,
    new RegExp(`^glioma-01\\.png  glioma \\d\\.\\d{3}  .*  Out-of-distribution check passed \\(anomaly score ${two(brain.anomalyScore!)} < threshold ${two(brain.anomalyThreshold!)}\\)$`),
  );
  assert.match(
    oddText!,
    new RegExp(`^noise\\.png  .*  ⚠ Out of distribution \\(anomaly score ${two(odd.anomalyScore!)} ≥ threshold ${two(odd.anomalyThreshold!)}\\): probabilities should not be trusted$`),
  );
});
