import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { guardFor, type OodGuard } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { colourise } from '../../src/core/render/colormaps';
import { encodePng } from '../../src/core/render/png';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { anomalyMapImage, anomalyMapResult } from '../../src/host/viewer/anomalyOverlay';
import { classifySlice } from '../../src/host/viewer/viewerInference';
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

test('the map image is on a fixed scale: zero at the bottom of the colormap, the threshold mid-colour, twice the threshold and more at the top', () => {
  const threshold = 13;
  // One row: 0, threshold/2, threshold, 2×threshold, 5×threshold; already at the slice's size.
  const map = { width: 5, height: 1, channels: 1, data: Float32Array.of(0, threshold / 2, threshold, 2 * threshold, 5 * threshold) };
  const image = anomalyMapImage({ score: 5 * threshold, threshold, map, input: stretched(5, 1) }, { width: 5, height: 1 }, 'viridis');
  assert.deepEqual([image.width, image.height, image.channels], [5, 1, 3]);
  const expected = colourise('viridis', Float32Array.of(0, 0.25, 0.5, 1, 1));
  for (let i = 0; i < 5; i++) assert.deepEqual(rgb(image, i), [...expected.subarray(i * 3, i * 3 + 3)], `pixel ${i}`);

  // A calm slice stays calm: its largest value is not stretched to the top colour, as a min-max map would be.
  const calm = anomalyMapImage(
    { score: threshold / 4, threshold, map: { width: 2, height: 1, channels: 1, data: Float32Array.of(0, threshold / 4) }, input: stretched(2, 1) },
    { width: 2, height: 1 },
    'jet',
  );
  assert.deepEqual(rgb(calm, 1), [...colourise('jet', Float32Array.of(0.125))]);
});

test("a cover detector's map lands on the part of the slice it saw, and the cropped margins are transparent", async () => {
  const threshold = 1;
  // A 4×4 cover input over an 8×4 slice sees its columns 2…5; the map is hot on the input's right half only.
  const map = { width: 4, height: 4, channels: 1, data: Float32Array.from({ length: 16 }, (_, i) => (i % 4 >= 2 ? 2 : 0)) };
  const image = anomalyMapImage({ score: 2, threshold, map, input: { size: { width: 4, height: 4 }, fit: 'cover' } }, { width: 8, height: 4 }, 'jet');
  assert.equal(image.channels, 4);
  const alpha = Array.from({ length: 8 }, (_, x) => image.data[x * 4 + 3]);
  assert.deepEqual(alpha, [0, 0, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...image.data.subarray(5 * 4, 5 * 4 + 3)], [...colourise('jet', Float32Array.of(1))], 'hot on slice column 5, the right edge of the view');
  assert.deepEqual([...image.data.subarray(2 * 4, 2 * 4 + 3)], [...colourise('jet', Float32Array.of(0))], 'calm on slice column 2, the left edge');

  // Through the PNG the viewer gets: decoded by libvips, the margins keep alpha 0.
  const { data, info } = await sharp(await encodePng(image))
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  assert.deepEqual(
    Array.from({ length: 8 }, (_, x) => data[x * 4 + 3]),
    [0, 0, 255, 255, 255, 255, 0, 0],
  );
});

test('the map of a lesion slice, stretched over the slice, is hottest on the lesion', async () => {
  const scan = await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS);
  const scored = await guard.scorer.scoreSlice(scan, 0);
  // Drawn at twice the slice's size, as over a 256² slice of the same brain.
  const image = anomalyMapImage({ ...scored, input: guard.scorer.input }, { width: 256, height: 256 }, 'jet');
  assert.deepEqual([image.width, image.height], [256, 256]);
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

test('one scoring per slice and axis: the verdict, the map and a recoloured map share it; another slice is scored anew', async () => {
  let scorings = 0;
  const counted: OodGuard = { ...guard, scorer: { ...guard.scorer, scoreSlice: (...args) => (scorings++, guard.scorer.scoreSlice(...args)) } };
  const scan = await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS);
  const [classified, jet] = await Promise.all([classifySlice(model, scan, 0, counted), anomalyMapResult(counted, scan, 0, 'jet')]);
  const viridis = await anomalyMapResult(counted, scan, 0, 'viridis');
  assert.equal(scorings, 1);
  assert.equal(classified.anomalyScore, jet.anomalyScore);
  assert.equal(viridis.anomalyScore, jet.anomalyScore);
  assert.notEqual(viridis.png, jet.png, 'recoloured');
  assert.deepEqual(jet.mapSize, [128, 128]);
  assert.equal(classified.flag, 'input unlike the training data');

  // The same file opened again is another scan (another document), so scored anew.
  await anomalyMapResult(counted, await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS), 0, 'jet');
  assert.equal(scorings, 2);
});
