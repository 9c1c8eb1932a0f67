import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzzTarget } from './harness';
import { knownFinding } from './knownFindings';
import type { FailureRecord } from './protocol';
import { TARGETS } from './targets';

/**
 * CI's bounded fuzz: a fixed seed, and per target a cap on inputs and a time
 * budget for them (about 21 s in all, plus each child's start-up). The cap
 * makes the run reproducible: a fast machine runs exactly the first N inputs
 * of the seed's sequence (all checked when the cap was set), a slow one fewer.
 * A failing input is saved in .cache/fuzz-failures/ with a replay command.
 */

const SEED = 20261122;
const LIMITS: Record<string, { budgetMs: number; inputs: number }> = {
  dicom: { budgetMs: 6000, inputs: 3000 },
  nifti: { budgetMs: 3000, inputs: 3000 },
  raster: { budgetMs: 4000, inputs: 3000 },
  cell: { budgetMs: 1500, inputs: 2000 },
  manifest: { budgetMs: 2000, inputs: 2000 },
  onnx: { budgetMs: 2000, inputs: 1500 },
  ipynb: { budgetMs: 1500, inputs: 2000 },
  header: { budgetMs: 1200, inputs: 300 },
  detector: { budgetMs: 600, inputs: 600 },
};
/** Fewer inputs than this means the harness, not the code, stalled. */
const MIN_INPUTS = 25;

const show = (f: FailureRecord): string => `${f.kind}: ${f.reason.slice(0, 400)} (replay: npm run fuzz -- --replay ${f.input})`;

for (const target of TARGETS) {
  test(`bounded fuzz: ${target.name} (seed ${SEED})`, { timeout: 120_000 }, async (t) => {
    const limits = LIMITS[target.name] ?? { budgetMs: 2000, inputs: 1000 };
    const result = await fuzzTarget(target.name, { seed: SEED, budgetMs: limits.budgetMs, maxIterations: limits.inputs, hangMs: 2000, rssCapMb: 768 });
    const unknown = result.failures.filter((f) => !knownFinding(f));
    const known = result.failures.filter((f) => knownFinding(f));
    for (const f of known.slice(0, 3)) t.diagnostic(`known finding, fix pending: ${show(f)} — ${knownFinding(f)!.note}`);
    if (known.length > 3) t.diagnostic(`… and ${known.length - 3} more inputs with known findings`);
    t.diagnostic(`${result.inputs} inputs`);
    assert.deepEqual(unknown.map(show), []);
    assert.ok(result.inputs >= MIN_INPUTS, `only ${result.inputs} inputs ran`);
  });
}
