import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { OUT_OF_DISTRIBUTION } from '../../src/core/anomaly/oodGuard';
import { releaseModels } from '../../src/core/model/modelCache';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { outOfDistributionWarning } from '../../src/core/vocabulary/outOfDistribution';
import { guardedDemoModel } from '../helpers/guardedModel';
import { LESION_SLICE, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT } from '../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-notebook-volume-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
let guardedModel: string;

before(async () => {
  guardedModel = guardedDemoModel(work);
  await writeGuardedVolume(join(work, 'volume.nii'));
});

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

type Volume = Extract<NotebookResult, { kind: 'volume' }>;

async function volumeOutput(modelPath: string): Promise<{ table: DisplayOutput; result: Volume }> {
  const session = new NotebookSession({ baseDir: work, defaultModelPath: modelPath, threads: 1 });
  const run = await executeCell(session, 'volume volume.nii');
  assert.ok(run.ok);
  const table = run.outputs[0] as DisplayOutput;
  const result = NotebookResultSchema.parse(table.data[SCANLENS_RESULT_MIME]);
  assert.equal(result.kind, 'volume');
  return { table, result: result as Volume };
}

const two = (n: number): string => n.toFixed(2);

test('volume with a guarded model: peaks carry the verdict, the lesion slice flagged; markdown leads with the warning, text ends with the verdicts', async () => {
  const { table, result } = await volumeOutput(guardedModel);
  const lesion = result.peaks.filter((p) => p.slice === LESION_SLICE);
  assert.ok(lesion.length > 0 && lesion.every((p) => p.flag === OUT_OF_DISTRIBUTION && p.anomalyScore! >= p.anomalyThreshold!));
  const normal = result.peaks.filter((p) => p.slice !== LESION_SLICE);
  assert.ok(normal.length > 0 && normal.every((p) => p.flag === undefined && p.anomalyScore! < p.anomalyThreshold!));

  const flagged = lesion[0]!;
  const markdown = String(table.data['text/markdown']);
  const [quote, tableMarkdown] = markdown.split('\n\n');
  const warning = outOfDistributionWarning(flagged.anomalyScore!, flagged.anomalyThreshold!);
  assert.equal(quote, `> ⚠️ **Out of distribution: 1 of 3 peak slice(s)**\n>\n> - slice ${LESION_SLICE} (peak of ${lesion.map((p) => p.label).join(', ')}): ${warning}`);
  assert.match(tableMarkdown!.split('\n')[0]!, /^\| class \| peak slice \| probability \| anomaly score \| flag \|$/);
  assert.match(tableMarkdown!, new RegExp(`\\| meningioma \\| ${LESION_SLICE} \\| .* \\| ${OUT_OF_DISTRIBUTION} \\|`));

  const text = String(table.data['text/plain']);
  assert.match(text, new RegExp(`meningioma \\d\\.\\d{3}@${LESION_SLICE} ⚠  `));
  assert.ok(
    text.endsWith(`  slice ${LESION_SLICE}: ⚠ Out of distribution (anomaly score ${two(flagged.anomalyScore!)} ≥ threshold ${two(flagged.anomalyThreshold!)}): probabilities should not be trusted`),
    text,
  );
  const passed = normal[0]!;
  assert.ok(text.includes(`slice ${passed.slice}: Out-of-distribution check passed (anomaly score ${two(passed.anomalyScore!)} < threshold ${two(passed.anomalyThreshold!)})`), text);
});

test('volume without a guard: no verdict in the result, the markdown or the text', async () => {
  const { table, result } = await volumeOutput(join(ROOT, 'models', 'brain-mri-demo', 'model.json'));
  for (const peak of result.peaks) assert.deepEqual(Object.keys(peak), ['label', 'slice', 'probability']);
  assert.equal('notes' in result, false);
  const markdown = String(table.data['text/markdown']);
  assert.match(markdown, /^\| class \| peak slice \| probability \|\n/);
  assert.doesNotMatch(markdown + String(table.data['text/plain']), /Out of distribution|Out-of-distribution|⚠/);
});

test('the volume schema refuses half a verdict on a peak, as it does on a classify row', () => {
  const volume = { kind: 'volume', file: 'v.nii', axis: 'axial', labels: ['a'], slices: [{ slice: 0, probabilities: [1] }] };
  const peak = { label: 'a', slice: 0, probability: 1 };
  const accepts = (extra: Record<string, unknown>): boolean => NotebookResultSchema.safeParse({ ...volume, peaks: [{ ...peak, ...extra }] }).success;
  assert.ok(accepts({}));
  assert.ok(accepts({ anomalyScore: 5, anomalyThreshold: 10 }));
  assert.ok(accepts({ anomalyScore: 20, anomalyThreshold: 10, flag: OUT_OF_DISTRIBUTION }));
  assert.equal(accepts({ anomalyScore: 20 }), false);
  assert.equal(accepts({ anomalyThreshold: 10 }), false);
  assert.equal(accepts({ anomalyThreshold: 10, flag: OUT_OF_DISTRIBUTION }), false);
  const refused = NotebookResultSchema.safeParse({ ...volume, peaks: [{ ...peak, flag: OUT_OF_DISTRIBUTION }] });
  assert.equal(refused.success ? '' : refused.error.issues[0]?.message, 'anomalyScore, anomalyThreshold and flag go together');
  assert.ok(NotebookResultSchema.safeParse({ ...volume, peaks: [peak], notes: ['anomaly score failed on slice index 0: x'] }).success);
});
