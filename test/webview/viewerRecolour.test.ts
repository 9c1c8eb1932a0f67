import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { modelGuard } from '../../src/core/anomaly/modelGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { colourise } from '../../src/core/render/colormaps';
import { explanationPng } from '../../src/core/render/explanationOverlay';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { sliceImage } from '../../src/core/scan/scan';
import { anomalyMapResult } from '../../src/host/viewer/anomalyOverlay';
import { windowed } from '../../src/host/viewer/exportReport';
import { SliceExplanations, explainSlice } from '../../src/host/viewer/sliceExplanation';
import { explanationHeat } from '../../src/host/viewer/viewerInference';
import type { ExportResult, HostRequest, ViewerWindow } from '../../src/protocol/viewerMessages';
import { heatRgba } from '../../src/webview/pixels';
import { FLAGGED_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { slicePixels } from '../helpers/slicePixels';
import { providerAnswer, viewerTestBed, type ViewerPage } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-recolour');
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');
const SIZE = 128;
/** The overlay opacity the test page starts with (test/helpers/viewerPage.ts). */
const OPACITY = 0.4;

/** What the screen should show: the slice with the heat coloured by `colormap` blended over it at `opacity`. */
function expectedScreen(plain: Uint8ClampedArray, heat: Float32Array, colormap: 'jet' | 'viridis' | 'inferno', opacity: number): Float32Array {
  // Where the heat is NaN (not seen) the colour is transparent: the slice shows as it is.
  const colours = new Uint8ClampedArray(heat.length * 4);
  heatRgba(colormap, heat, colours);
  return Float32Array.from(plain, (v, k) => {
    const i = Math.floor(k / 3);
    const alpha = (opacity * colours[i * 4 + 3]!) / 255;
    return (1 - alpha) * v + alpha * colours[i * 4 + (k % 3)]!;
  });
}

/** Mean absolute difference, in 8-bit levels, between what is on screen and an expectation. */
const distance = (shown: Uint8ClampedArray, expected: Float32Array): number => shown.reduce((sum, v, k) => sum + Math.abs(v - expected[k]!), 0) / shown.length;

/** The slice on screen once it has been repainted: differs from `before` (the canvas repaints on the next frame). */
async function repainted(viewer: ViewerPage, before: Uint8ClampedArray): Promise<Uint8ClampedArray> {
  for (let i = 0; i < 40; i++) {
    const shown = await slicePixels(viewer, SIZE, SIZE);
    if (shown.some((v, k) => v !== before[k])) return shown;
    await viewer.page.waitForTimeout(50);
  }
  throw new Error('the overlay was not repainted');
}

test('viewer: another colormap or opacity recolours the explanation in the page, with no request to the host; Export Report then draws it without explaining again', async () => {
  const model: LoadedModel = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const reports = mkdtempSync(join(bed.work, 'reports-'));
  const asked: HostRequest[] = [];
  let runs = 0;
  const explanations = new SliceExplanations((...args) => (runs++, explainSlice(...args)));
  const viewer = await bed.open(SAMPLE, (document, request) => (asked.push(request), providerAnswer(document, model, request, { explanations, reports })));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    const plain = await slicePixels(viewer, SIZE, SIZE);
    await viewer.request({ type: 'overlay', shown: true });
    await viewer.until((s) => s.overlay.shown && s.pending === 0);
    const jet = await repainted(viewer, plain);
    assert.equal(runs, 1);
    // The heat the page was sent, as the host computes it from the explanation it keeps.
    const scan = await loadScan(SAMPLE, DEFAULT_LIMITS);
    const explanation = await explanations.of(model, scan, 0, { method: 'gradcam' });
    assert.equal(runs, 2, 'another document (scan) is explained anew');
    const heat = explanationHeat(explanation, { width: SIZE, height: SIZE }, model.manifest.input).values;
    const onJet = distance(jet, expectedScreen(plain, heat, 'jet', OPACITY));
    assert.ok(onJet < 1.5, `jet as the host's colours give it: ${onJet.toFixed(2)} levels off on average`);

    const before = asked.length;
    await viewer.page.getByLabel('Colormap').selectOption('viridis');
    const viridis = await repainted(viewer, jet);
    const toViridis = distance(viridis, expectedScreen(plain, heat, 'viridis', OPACITY));
    const toJet = distance(viridis, expectedScreen(plain, heat, 'jet', OPACITY));
    assert.ok(toViridis < 1.5, `the overlay now has viridis' colours: ${toViridis.toFixed(2)} levels off on average`);
    assert.ok(toJet > 10, `and no longer jet's: ${toJet.toFixed(2)} levels off`);

    // Opacity is the page's too.
    await viewer.page.getByLabel('Overlay opacity').evaluate((input) => {
      const range = input as unknown as { value: string; dispatchEvent(event: unknown): boolean };
      range.value = '0.8';
      range.dispatchEvent(new (globalThis as unknown as { Event: new (type: string) => unknown }).Event('input'));
    });
    const opaque = await repainted(viewer, viridis);
    const toOpaque = distance(opaque, expectedScreen(plain, heat, 'viridis', 0.8));
    assert.ok(toOpaque < 1.5, `viridis at opacity 0.8: ${toOpaque.toFixed(2)} levels off on average`);
    const state = await viewer.until((s) => s.pending === 0);
    assert.ok(state.overlay.shown);
    assert.deepEqual(
      asked.slice(before).map((r) => r.type),
      [],
      'no request to the host for a colormap or opacity',
    );

    // Export Report: the picture on screen (viridis at 0.8), from the explanation already computed.
    const written = await viewer.request({ type: 'export' });
    assert.deepEqual(
      asked.slice(before).map((r) => r.type),
      ['export'],
    );
    assert.equal(runs, 2, 'Export Report did not explain again');
    const report = JSON.parse(readFileSync((written as ExportResult).json, 'utf8')) as { view: { window: ViewerWindow }; explanation: { colormap: string; opacity: number } };
    assert.deepEqual([report.explanation.colormap, report.explanation.opacity], ['viridis', 0.8]);
    const expected = explanationPng(windowed(sliceImage(scan, 0), report.view.window), explanation.map, model.manifest.input, 'viridis', 0.8);
    assert.ok(readFileSync((written as ExportResult).png).equals(expected), 'the exported picture is the explanation on screen, in the colormap and opacity on screen');
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});

test("viewer: another colormap recolours the anomaly map and its legend's bar in the page, with no request to the host", async () => {
  const guarded = await getModel(guardedDemoModel(bed.work), { threads: 1 });
  const asked: HostRequest[] = [];
  const viewer = await bed.open(FLAGGED_SAMPLE, (document, request) => (asked.push(request), providerAnswer(document, guarded, request)));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    const plain = await slicePixels(viewer, SIZE, SIZE);
    await viewer.request({ type: 'overlay', shown: true, method: 'anomaly' });
    await viewer.until((s) => s.overlay.anomaly !== undefined && s.pending === 0);
    const jet = await repainted(viewer, plain);
    const { heat } = await anomalyMapResult((await modelGuard(guarded))!, await loadScan(FLAGGED_SAMPLE, DEFAULT_LIMITS), 0);
    const onJet = distance(jet, expectedScreen(plain, heat.values, 'jet', OPACITY));
    assert.ok(onJet < 1.5, `jet: ${onJet.toFixed(2)} levels off on average`);

    const before = asked.length;
    await viewer.page.getByLabel('Colormap').selectOption('inferno');
    const inferno = await repainted(viewer, jet);
    const toInferno = distance(inferno, expectedScreen(plain, heat.values, 'inferno', OPACITY));
    assert.ok(toInferno < 1.5, `the map now has inferno's colours: ${toInferno.toFixed(2)} levels off on average`);
    assert.ok(distance(inferno, expectedScreen(plain, heat.values, 'jet', OPACITY)) > 10, "and no longer jet's");
    // The legend's bar: the colormap from 0 to 1, as the host drew it (colourise of a 256-step ramp).
    const bar = await viewer.page.locator('.legend-bar').getAttribute('src');
    const { data, info } = await sharp(Buffer.from(bar!.split(',')[1]!, 'base64'))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [256, 1]);
    const ramp = colourise(
      'inferno',
      Float32Array.from({ length: 256 }, (_, i) => i / 255),
    );
    for (let i = 0; i < 256; i++) for (let c = 0; c < 3; c++) assert.equal(data[i * info.channels + c], Math.round(ramp[i * 3 + c]! * 255), `bar pixel ${i}`);
    const state = await viewer.until((s) => s.pending === 0);
    assert.ok(state.overlay.anomaly, 'the legend stays, with its score');
    assert.deepEqual(
      asked.slice(before).map((r) => r.type),
      [],
      'no request to the host for a colormap',
    );
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
