import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { spearman, ssim } from '../../../src/core/explain/scorecard/mapSimilarity';
import { explainJob } from '../../../src/core/jobs/explainJob';
import { loadModel } from '../../../src/core/model/loadModel';
import { ROOT, fixture } from '../../helpers/paths';

after(releaseExplainSessions);
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-scorecard-'));

interface Curve {
  auc: number;
  probabilities: number[];
}
interface Road {
  probabilities: number[];
  mean: number;
}
interface Sample {
  sample: string;
  class: number;
  probabilities: number[];
  confidence: { original: number; explanationMap: number; drop: number; increase: boolean };
  deletion: Curve;
  insertion: Curve;
  road: { mostRelevantFirst: Road; leastRelevantFirst: Road; combined: number };
  mask?: { file: string; maskPixels: number; pointingGame: boolean; relevanceMass: number };
}
interface Pair {
  width: number;
  height: number;
  a: number[];
  b: number[];
  spearman: number;
  ssim: number;
}
const reference = JSON.parse(readFileSync(fixture('scorecard', 'reference.json'), 'utf8')) as { samples: Sample[]; similarityPairs: Pair[] };

/**
 * Probabilities ScanLens and the PyTorch reference compute from the same
 * pixels differ by float32 rounding (onnxruntime vs PyTorch convolutions, the
 * CG solve vs scipy's spsolve to 1e-8): measured ≤ 6.4e-6. A wrong definition
 * (another blur, step, imputation or percentage rule) moves them by 1e-2 or more.
 */
const TOLERANCE = 1e-4;
/**
 * Two pixels of nearly equal relevance (float32 vs float64 maps) can rank in
 * either order; where they straddle a deletion/insertion step, that one point
 * moves (meningioma-02's insertion, step 31: 3.1e-3, its AUC 4.9e-5). One
 * point per curve may differ up to this much; the AUC is held to TOLERANCE.
 */
const TIE_SWAP = 1e-2;

function close(ours: number, theirs: number, what: string, tolerance = TOLERANCE): void {
  assert.ok(Math.abs(ours - theirs) <= tolerance, `${what}: ScanLens ${ours}, reference ${theirs}`);
}

function closeAll(ours: readonly number[], theirs: readonly number[], what: string, swaps = 0): void {
  assert.equal(ours.length, theirs.length, `${what}: ${ours.length} points, reference ${theirs.length}`);
  ours.forEach((v, i) => close(v, theirs[i]!, `${what}[${i}]`, swaps > 0 ? TIE_SWAP : TOLERANCE));
  const off = ours.filter((v, i) => Math.abs(v - theirs[i]!) > TOLERANCE).length;
  assert.ok(off <= swaps, `${what}: ${off} points differ by more than ${TOLERANCE}`);
}

for (const expected of reference.samples) {
  test(`scorecard of ${expected.sample} (Grad-CAM, demo model) equals the numpy/PyTorch reference within ${TOLERANCE}`, async () => {
    const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo'), { threads: 1 });
    const { explanation, scorecard } = await explainJob(model, join(ROOT, expected.sample), {
      method: 'gradcam',
      cacheDir,
      score: expected.mask ? { mask: join(ROOT, expected.mask.file) } : {},
    });
    assert.equal(explanation.classIndex, expected.class);
    closeAll(explanation.probabilities, expected.probabilities, 'probabilities');
    const card = scorecard!;
    close(card.confidence.original, expected.confidence.original, 'original probability');
    close(card.confidence.explanationMap, expected.confidence.explanationMap, 'probability on input × map');
    close(card.confidence.drop, expected.confidence.drop, 'confidence drop');
    assert.equal(card.confidence.increase, expected.confidence.increase);
    closeAll(card.deletion.probabilities, expected.deletion.probabilities, 'deletion curve', 1);
    close(card.deletion.auc, expected.deletion.auc, 'deletion AUC');
    closeAll(card.insertion.probabilities, expected.insertion.probabilities, 'insertion curve', 1);
    close(card.insertion.auc, expected.insertion.auc, 'insertion AUC');
    closeAll(card.road.mostRelevantFirst.probabilities, expected.road.mostRelevantFirst.probabilities, 'ROAD most relevant first');
    closeAll(card.road.leastRelevantFirst.probabilities, expected.road.leastRelevantFirst.probabilities, 'ROAD least relevant first');
    close(card.road.combined, expected.road.combined, 'ROAD combined');
    if (expected.mask) {
      assert.equal(card.mask?.maskPixels, expected.mask.maskPixels);
      assert.equal(card.mask.pointingGame, expected.mask.pointingGame);
      close(card.mask.relevanceMass!, expected.mask.relevanceMass, 'relevance mass');
    } else assert.equal(card.mask, undefined);
    await model.session.release();
  });
}

test("Spearman and SSIM equal scipy's spearmanr and scikit-image's structural_similarity (as Quantus calls them) on the reference's map pairs", () => {
  for (const [i, pair] of reference.similarityPairs.entries()) {
    assert.ok(Math.abs(spearman(pair.a, pair.b)! - pair.spearman) < 1e-9, `pair ${i} Spearman ${spearman(pair.a, pair.b)} vs ${pair.spearman}`);
    const ours = ssim(pair.a, pair.b, pair.width, pair.height)!;
    assert.ok(Math.abs(ours - pair.ssim) < 1e-9, `pair ${i} SSIM ${ours} vs ${pair.ssim}`);
  }
  const flat = new Array<number>(100).fill(0.5);
  assert.equal(spearman(flat, reference.similarityPairs[0]!.a.slice(0, 100)), null, 'a constant map has no rank correlation');
});
