import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { anomalyHeat } from '../../src/core/anomaly/heatmap';
import { guardFor } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { resliceScan } from '../../src/core/scan/reslice';
import { anomalyScoreText } from '../../src/core/vocabulary/outOfDistribution';
import { AXES, EXPLAIN_METHODS, type SliceHeat } from '../../src/protocol/viewerMessages';
import { FLAGGED_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { slicePixels } from '../helpers/slicePixels';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';
import { writeNifti256 } from '../vscode/viewerFixtures';

const bed = viewerTestBed('viewer-anomaly');
const { work } = bed;
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];
/** The overlay opacity the test page starts with (test/helpers/viewerPage.ts). */
const OPACITY = 0.4;
/** The meningioma of FLAGGED_SAMPLE: the bright disc at x 30…49, y 79…106 of the 128² slice. */
const LESION = { x0: 30, x1: 49, y0: 79, y1: 106 };

let guarded: LoadedModel;

before(async () => {
  guarded = await getModel(guardedDemoModel(work), { threads: 1 });
});

/** Pixels over 1.1× the threshold, where jet is red with little blue: `redness` gives a pixel's (red − blue) of the overlay colour alone, 0…1. */
function hotRegion(size: number, redness: (i: number) => number): { count: number; centre: [number, number]; inLesion: number } {
  let [count, sx, sy, inLesion] = [0, 0, 0, 0];
  for (let i = 0; i < size * size; i++) {
    if (redness(i) < 0.4) continue;
    const [x, y] = [i % size, Math.floor(i / size)];
    count++;
    sx += x;
    sy += y;
    if (x >= LESION.x0 && x <= LESION.x1 && y >= LESION.y0 && y <= LESION.y1) inLesion++;
  }
  return { count, centre: [sx / count, sy / count], inLesion };
}

test('viewer: a guarded model offers the anomaly map; chosen, it is drawn hottest on the lesion, as `scanlens anomaly score --maps` draws it, with score and threshold', async () => {
  const viewer = await bed.open(FLAGGED_SAMPLE, (document, request) => providerAnswer(document, guarded, request));
  try {
    const probabilities = await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    assert.deepEqual(probabilities.overlay.methods, [...EXPLAIN_METHODS, 'anomaly']);
    const { page } = viewer;
    const method = page.getByLabel('Overlay method');
    assert.equal(await method.locator('optgroup[label="Out-of-distribution guard"] option[value="anomaly"]').textContent(), 'anomaly map');
    const plain = await slicePixels(viewer, 128, 128);

    // As a person does it: pick the anomaly map, then tick Overlay.
    await method.selectOption('anomaly');
    await page.locator('#overlay-shown').check();
    const state = await viewer.until((s) => s.overlay.shown && s.overlay.anomaly !== undefined && s.pending === 0);
    assert.equal(state.overlay.method, 'anomaly');
    assert.equal(await page.getByLabel('Class to explain').isVisible(), false, 'the map belongs to no class');
    const expected = await (await guardFor(guarded))!.scorer.score(FLAGGED_SAMPLE);
    assert.deepEqual(state.overlay.anomaly, { score: expected.score, threshold: expected.threshold });
    assert.equal(await page.locator('.legend-caption').textContent(), `Anomaly map: ${anomalyScoreText(expected.score, expected.threshold)}`);
    assert.equal(await page.locator('.legend-scale').textContent(), `0threshold ${expected.threshold.toFixed(2)}≥ ${(2 * expected.threshold).toFixed(2)}`);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'viewer-anomaly-map.png') });

    // The overlay's own colour, from what is on screen: shown = (1 − opacity)·slice + opacity·colour.
    const shown = await slicePixels(viewer, 128, 128);
    const colour = (i: number, c: number): number => (shown[i * 3 + c]! - (1 - OPACITY) * plain[i * 3 + c]!) / OPACITY / 255;
    const onScreen = hotRegion(128, (i) => colour(i, 0) - colour(i, 2));
    assert.ok(onScreen.count > 0 && onScreen.count < 0.15 * 128 * 128, `a hot region, not the whole slice: ${onScreen.count} pixels`);
    const [cx, cy] = onScreen.centre;
    assert.ok(cx >= LESION.x0 && cx <= LESION.x1 && cy >= LESION.y0 && cy <= LESION.y1, `hot region centred on the lesion, at (${cx.toFixed(1)}, ${cy.toFixed(1)})`);
    const lesionArea = (LESION.x1 - LESION.x0 + 1) * (LESION.y1 - LESION.y0 + 1);
    assert.ok(onScreen.inLesion > 0.6 * lesionArea, `${onScreen.inLesion} of the lesion's ${lesionArea} pixels hot`);
    let changed = 0;
    for (let y = LESION.y0; y <= LESION.y1; y++)
      for (let x = LESION.x0; x <= LESION.x1; x++) for (let c = 0; c < 3; c++) changed += Math.abs(shown[(y * 128 + x) * 3 + c]! - plain[(y * 128 + x) * 3 + c]!);
    assert.ok(changed / lesionArea > 60, `the lesion is tinted: its pixels differ by ${(changed / lesionArea).toFixed(0)} (sum over red, green, blue) from the plain slice`);

    // The command line's map of the same file (jet at opacity 0.5 over a grey image, so red − blue is half the colour's).
    const maps = mkdtempSync(join(work, 'maps-'));
    const cli = runCli(['anomaly', 'score', FLAGGED_SAMPLE, '--detector', join(ROOT, 'models', 'brain-mri-demo-padim'), '--maps', maps]);
    assert.equal(cli.status, 0, cli.stderr);
    const { data } = await sharp(join(maps, 'meningioma-02-anomaly.png')).raw().toBuffer({ resolveWithObject: true });
    const printed = hotRegion(128, (i) => (data[i * 3]! - data[i * 3 + 2]!) / 0.5 / 255);
    const distance = Math.hypot(onScreen.centre[0] - printed.centre[0], onScreen.centre[1] - printed.centre[1]);
    assert.ok(distance < 2, `hot region centred at (${onScreen.centre.map((v) => v.toFixed(1)).join(', ')}) on screen, (${printed.centre.map((v) => v.toFixed(1)).join(', ')}) in the CLI's map`);
    assert.ok(Math.abs(onScreen.count - printed.count) < 0.1 * printed.count, `hot region of ${onScreen.count} pixels on screen, ${printed.count} in the CLI's map`);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});

test('viewer: on a volume the anomaly map is the volume’s, its axial slices scored once and cut for the slice on screen along every axis, on one fixed scale', async () => {
  const file = join(work, 'lesion-256.nii');
  await writeNifti256(FLAGGED_SAMPLE, file);
  const drawn: SliceHeat[] = [];
  const viewer = await bed.open(file, (document, request) => providerAnswer(document, guarded, request, { seen: (heat) => drawn.push(heat) }));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    await viewer.request({ type: 'overlay', shown: true, method: 'anomaly' });
    const volume = await loadScan(file, DEFAULT_LIMITS);
    const independent = (await guardFor(guarded))!;
    const scores = new Set<number>();
    for (const axis of AXES) {
      const moved = await viewer.request({ type: 'goto', axis, index: 100 });
      assert.equal(moved.overlay.anomaly, undefined, 'the previous slice’s legend goes with its map');
      const state = await viewer.until((s) => s.axis === axis && s.overlay.shown && s.overlay.anomaly !== undefined && s.pending === 0);
      // The page opened on an empty end slice; this slice's own range shows it.
      await viewer.page.getByLabel('Window preset').selectOption('auto');
      const { score, threshold, volume: scored } = state.overlay.anomaly!;
      assert.equal(scored?.axis, 'axial');
      assert.equal(scored.count, 256);
      // The volume's score is its highest axial slice's, that slice scored alone.
      assert.equal(score, (await independent.scorer.scoreSlice(resliceScan(volume, 'axial'), scored.slice)).score, `${axis}: the volume's score`);
      scores.add(score);
      const heat = drawn.at(-1)!;
      const [, sliceHeight, sliceWidth] = resliceScan(volume, axis).shape;
      assert.deepEqual([heat.width, heat.height], [sliceWidth, sliceHeight], `${axis}: the map covers the slice`);
      if (axis === 'axial') {
        // Axial slice 100 of the volume's map is that slice's own 2D map, on the fixed scale.
        const own = await independent.scorer.scoreSlice(resliceScan(volume, 'axial'), 100);
        const expected = anomalyHeat({ ...own, input: independent.scorer.input }, heat).data;
        let worst = 0;
        for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(heat.values[i]! - expected[i]!));
        assert.ok(worst <= 1e-6 && threshold === own.threshold, `axial slice 100: largest difference ${worst}`);
      }
      if (SCREENSHOTS) await viewer.page.screenshot({ path: join(SCREENSHOTS, `viewer-anomaly-${axis}.png`) });
    }
    assert.equal(scores.size, 1, 'one score, the volume’s, on every axis');
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});

test('viewer: a model without a detector offers no anomaly map at all', async () => {
  const plain = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const viewer = await bed.open(FLAGGED_SAMPLE, (document, request) => providerAnswer(document, plain, request));
  try {
    const state = await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    assert.deepEqual(state.overlay.methods, [...EXPLAIN_METHODS]);
    const method = viewer.page.getByLabel('Overlay method');
    assert.equal(await method.locator('option[value="anomaly"]').count(), 0);
    assert.equal(await method.locator('optgroup[label="Out-of-distribution guard"]').count(), 0);
    assert.doesNotMatch((await viewer.page.locator('#app').textContent()) ?? '', /anomaly/i);
    await assert.rejects(viewer.request({ type: 'overlay', shown: true, method: 'anomaly' }), /does not offer anomaly/);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
