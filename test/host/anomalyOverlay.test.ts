import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { guardFor, type OodGuard } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { colourise } from '../../src/core/render/colormaps';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { anomalyMapHeat, anomalyMapResult } from '../../src/host/viewer/anomalyOverlay';
import { classifySlice } from '../../src/host/viewer/viewerInference';
import { heatRgba } from '../../src/webview/pixels';
import { FLAGGED_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';

const work = mkdtempSync(join(tmpdir(), 'scanlens-anomaly-overlay-'));
process.env['SCANLENS_CACHE_DIR'] = work;

let model: LoadedModel;
let guard: OodGuard;

before(async () => {
  model = await getModel(guardedDemoModel(work), { threads: 1 });
  guard = (await guardFor(model))!;
});

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

const stretched = (width: number, height: number) => ({ size: { width, height }, fit: 'fill' as const });
const rgb = (image: { data: Float32Array }, i: number): number[] => [...image.data.subarray(i * 3, i * 3 + 3)];
/** The page's colours of a heat map (RGBA bytes). */
function pageColours(colormap: Parameters<typeof heatRgba>[0], heat: Float32Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(heat.length * 4);
  heatRgba(colormap, heat, out);
  return out;
}
/** colourise's colours as 8-bit RGBA, opaque. */
const bytes = (colours: Float32Array): number[] => [...colours].flatMap((v, i) => (i % 3 === 2 ? [Math.round(v * 255), 255] : [Math.round(v * 255)]));

test('the map is sent on a fixed scale: zero at the bottom of the colormap, the threshold mid-colour, twice the threshold and more at the top', () => {
  const threshold = 13;
  // One row: 0, threshold/2, threshold, 2×threshold, 5×threshold; already at the slice's size.
  const map = { width: 5, height: 1, channels: 1, data: Float32Array.of(0, threshold / 2, threshold, 2 * threshold, 5 * threshold) };
  const heat = anomalyMapHeat({ score: 5 * threshold, threshold, map, input: stretched(5, 1) }, { width: 5, height: 1 });
  assert.deepEqual([heat.width, heat.height, [...heat.values]], [5, 1, [0, 0.25, 0.5, 1, 1]]);
  assert.deepEqual([...pageColours('viridis', heat.values)], bytes(colourise('viridis', Float32Array.of(0, 0.25, 0.5, 1, 1))), 'the page colours it as colourise does');

  // A calm slice stays calm: its largest value is not stretched to the top colour, as a min-max map would be.
  const calm = anomalyMapHeat({ score: threshold / 4, threshold, map: { width: 2, height: 1, channels: 1, data: Float32Array.of(0, threshold / 4) }, input: stretched(2, 1) }, { width: 2, height: 1 });
  assert.deepEqual([...calm.values], [0, 0.125]);
});

test("a cover detector's map lands on the part of the slice it saw, and the cropped margins are transparent", () => {
  const threshold = 1;
  // A 4×4 cover input over an 8×4 slice sees its columns 2…5; the map is hot on the input's right half only.
  const map = { width: 4, height: 4, channels: 1, data: Float32Array.from({ length: 16 }, (_, i) => (i % 4 >= 2 ? 2 : 0)) };
  const heat = anomalyMapHeat({ score: 2, threshold, map, input: { size: { width: 4, height: 4 }, fit: 'cover' } }, { width: 8, height: 4 });
  assert.deepEqual(
    Array.from({ length: 8 }, (_, x) => Number.isNaN(heat.values[x])),
    [true, true, false, false, false, false, true, true],
  );
  assert.equal(heat.values[5], 1, 'hot on slice column 5, the right edge of the view');
  assert.equal(heat.values[2], 0, 'calm on slice column 2, the left edge');

  // As the page colours it: the margins transparent, the rest opaque.
  const shown = pageColours('jet', heat.values);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, x) => shown[x * 4 + 3]),
    [0, 0, 255, 255, 255, 255, 0, 0],
  );
  assert.deepEqual([...shown.subarray(5 * 4, 5 * 4 + 4)], bytes(colourise('jet', Float32Array.of(1))));
});

test('the map of a lesion slice, stretched over the slice, is hottest on the lesion', async () => {
  const scan = await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS);
  const scored = await guard.scorer.scoreSlice(scan, 0);
  // Drawn at twice the slice's size, as over a 256² slice of the same brain.
  const heat = anomalyMapHeat({ ...scored, input: guard.scorer.input }, { width: 256, height: 256 });
  assert.deepEqual([heat.width, heat.height], [256, 256]);
  const image = { data: colourise('jet', heat.values) };
  // Hot: red with little blue, i.e. over 1.1× the threshold on jet.
  const hot: [number, number][] = [];
  for (let i = 0; i < 256 * 256; i++) {
    const [r, , b] = rgb(image, i);
    if (r! - b! >= 0.4) hot.push([i % 256, Math.floor(i / 256)]);
  }
  assert.ok(hot.length > 0 && hot.length < 0.1 * 256 * 256, `a hot region, not the whole slice: ${hot.length} pixels`);
  const [cx, cy] = [0, 1].map((k) => hot.reduce((sum, p) => sum + p[k]!, 0) / hot.length / 2);
  // The meningioma of this sample: the bright disc at x 30…49, y 79…106 of the 128² slice.
  assert.ok(cx! >= 30 && cx! <= 49 && cy! >= 79 && cy! <= 106, `hot region centred at (${cx!.toFixed(1)}, ${cy!.toFixed(1)})`);
});

test('one scoring per slice and axis: the verdict, the map and the map shown again share it; another scan is scored anew', async () => {
  let scorings = 0;
  const counted: OodGuard = { ...guard, scorer: { ...guard.scorer, scoreSlice: (...args) => (scorings++, guard.scorer.scoreSlice(...args)) } };
  const scan = await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS);
  const [classified, shown] = await Promise.all([classifySlice(model, scan, 0, counted), anomalyMapResult(counted, scan, 0)]);
  const again = await anomalyMapResult(counted, scan, 0);
  assert.equal(scorings, 1);
  assert.equal(classified.anomalyScore, shown.anomalyScore);
  assert.equal(again.anomalyScore, shown.anomalyScore);
  assert.deepEqual(again.heat, shown.heat);
  assert.deepEqual(shown.mapSize, [128, 128]);
  assert.equal(classified.flag, 'input unlike the training data');

  // The same file opened again is another scan (another document), so scored anew.
  await anomalyMapResult(counted, await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS), 0);
  assert.equal(scorings, 2);
});
