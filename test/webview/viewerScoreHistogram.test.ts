import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getModel } from '../../src/core/model/modelCache';
import { FLAGGED_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-score-histogram');

interface Threshold {
  value: number;
  calibration: { images: number; min: number; max: number; scores?: number[] };
}

test('anomaly fit keeps its held-out normal scores in the detector, ascending, the ones its threshold and calibration summary come from', () => {
  const out = join(bed.work, 'fitted');
  const fit = runCli(['anomaly', 'fit', join(ROOT, 'samples', 'anomaly', 'normal'), '--out', out, '--json']);
  assert.equal(fit.status, 0, fit.stderr);
  const { threshold } = JSON.parse(readFileSync(join(out, 'detector.json'), 'utf8')) as { threshold: Threshold };
  const scores = threshold.calibration.scores!;
  assert.equal(scores.length, threshold.calibration.images);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => a - b),
  );
  assert.deepEqual([scores[0], scores.at(-1)], [threshold.calibration.min, threshold.calibration.max]);
  assert.ok(threshold.value >= scores[0]! && threshold.value <= scores.at(-1)!);
});

test("viewer: the anomaly map's legend draws the detector's held-out normal scores as a histogram, with the threshold and the slice's score marked", async () => {
  const dir = join(bed.work, 'guarded');
  mkdirSync(dir);
  const manifestPath = guardedDemoModel(dir);
  // The shipped detector predates kept scores: give it some, as anomaly fit now keeps them.
  const detectorJson = join(dir, 'padim', 'detector.json');
  const detector = JSON.parse(readFileSync(detectorJson, 'utf8')) as { threshold: Threshold };
  const { min, max, images } = detector.threshold.calibration;
  detector.threshold.calibration.scores = Array.from({ length: images }, (_, i) => min + ((max - min) * i) / (images - 1));
  writeFileSync(detectorJson, JSON.stringify(detector));
  const model = await getModel(manifestPath, { threads: 1 });
  const viewer = await bed.open(FLAGGED_SAMPLE, (document, request) => providerAnswer(document, model, request));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    const state = await viewer.request({ type: 'overlay', shown: true, method: 'anomaly' });
    const shown = state.overlay.anomaly!;
    assert.ok(shown.bars !== undefined && shown.bars >= 5, JSON.stringify(shown));
    const chart = viewer.page.locator('svg.score-histogram');
    assert.equal(await chart.locator('rect.bar').count(), shown.bars);
    assert.equal(await chart.locator('line.threshold').count(), 1);
    assert.equal(await chart.locator('path.score').count(), 1);
    assert.match((await chart.locator('title').textContent()) ?? '', new RegExp(`^${images} held-out normal scores, threshold ${shown.threshold.toFixed(2)}, this slice ${shown.score.toFixed(2)}$`));
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
