import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { mapToSlice } from '../../src/core/preprocess/mapToSlice';
import { scanPicture } from '../../src/host/notebook/scanPicture';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME, type NotebookResult } from '../../src/protocol/notebookResult';
import { bundle, servingPage, type Served } from '../helpers/browser';
import { browserBed } from '../helpers/browserBed';
import { demoWithFit, wideSlice } from '../helpers/fittedDemo';
import { ROOT } from '../helpers/paths';
import { render } from '../helpers/rendererPage';

/**
 * The renderer as VS Code loads it, with a host that answers its requests for
 * the scan's picture through the extension's own handler (scanPicture), so the
 * map is drawn over the scan as a user sees it.
 */
const PAGE = `<!DOCTYPE html><html><body><div id="out"></div>
<script type="module">
import { activate } from '/renderer.js';
let listener;
const renderer = activate({
  getState: () => undefined, setState: () => {}, getRenderer: async () => undefined, workspace: { isTrusted: true },
  settings: { lineLimit: 30, outputScrolling: false, outputWordWrap: false },
  postMessage: (message) => void window.hostScanPicture(message).then((reply) => listener?.(reply)),
  onDidReceiveMessage: (l) => { listener = l; return { dispose() {} }; },
});
window.renderOutput = (text) => {
  const item = { id: 'output-1', mime: '${SCANLENS_RESULT_MIME}', metadata: {}, text: () => text, json: () => JSON.parse(text), data: () => new TextEncoder().encode(text), blob: () => new Blob([text]) };
  return renderer.renderOutputItem(item, document.getElementById('out'), new AbortController().signal);
};
</script></body></html>`;

type Explain = Extract<NotebookResult, { kind: 'explain' }>;
type Fit = 'contain' | 'cover';
/** wideSlice: a 192×128 scan, a 128² sample with 32 grey columns either side; the demo model's input is 128². */
const [WIDTH, HEIGHT] = [192, 128];
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

const payloads: Partial<Record<Fit, string>> = {};
let files: Record<string, Served> = {};
const bed = browserBed('renderer-explain-fit', async (work) => {
  await wideSlice(work);
  for (const fit of ['contain', 'cover'] as const) {
    const run = await executeCell(new NotebookSession({ baseDir: work, defaultModelPath: demoWithFit(work, fit), threads: 1 }), 'explain wide.png');
    assert.ok(run.ok);
    payloads[fit] = JSON.stringify((run.outputs[0] as DisplayOutput).data[SCANLENS_RESULT_MIME]);
  }
  files = { '/': { body: PAGE, type: 'text/html' }, ...(await bundle(join(ROOT, 'src', 'renderer', 'renderer.ts'), { format: 'esm' })) };
});

async function openPage(errors: string[]): Promise<Page> {
  const page = await servingPage(bed.browser(), files, errors);
  await page.exposeFunction('hostScanPicture', (message: unknown) => scanPicture(message, bed.work, []));
  return page;
}

/** The scan's picture under the plot, where the renderer puts it. */
const SCAN_PICTURE = '.sl-chart .layer-subplot .imagelayer image';

/** Screen pixels (RGB) over the scan's picture, and where the picture lies among them. */
interface Screen {
  /** The picture's box in the captured pixels' frame (fractional: plotly places it to the sub-pixel). */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}

/** The screen around the scan's picture, once it has stopped changing. */
async function screen(page: Page): Promise<Screen> {
  // The picture, once the host has answered, is a layout image, sized when it has loaded (again after each redraw).
  await page.waitForFunction(`document.querySelector('${SCAN_PICTURE}')?.getBoundingClientRect().height > 0`);
  const box = (await page.locator(SCAN_PICTURE).boundingBox())!;
  const [x, y] = [Math.floor(box.x), Math.floor(box.y)];
  const clip = { x, y, width: Math.ceil(box.x + box.width) - x, height: Math.ceil(box.y + box.height) - y };
  let last: Buffer | undefined;
  for (let i = 0; i < 40; i++) {
    const png = await page.screenshot({ clip });
    if (last?.equals(png)) break;
    last = png;
    await page.waitForTimeout(50);
  }
  const { data, info } = await sharp(last!).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { box: { ...box, x: box.x - x, y: box.y - y }, width: info.width, height: info.height, data };
}

/** The RGB of the screen pixel (sx, sy). */
function rgb(screen: Screen, sx: number, sy: number): [number, number, number] {
  const i = (sy * screen.width + sx) * 3;
  return [screen.data[i]!, screen.data[i + 1]!, screen.data[i + 2]!];
}

/** The screen pixel under the centre of the scan's pixel (x, y). */
function under(screen: Screen, x: number, y: number): [number, number] {
  return [Math.floor(screen.box.x + ((x + 0.5) * screen.box.width) / WIDTH), Math.floor(screen.box.y + ((y + 0.5) * screen.box.height) / HEIGHT)];
}

/** Where plotly's smoothed heatmap samples the screen pixel (sx, sy): its top-left corner, in the scan's pixels (pixel centres at whole numbers). */
function onScan(screen: Screen, sx: number, sy: number): [number, number] {
  return [((sx - screen.box.x) * WIDTH) / screen.box.width - 0.5, ((sy - screen.box.y) * HEIGHT) / screen.box.height - 0.5];
}

/** A value of a scan-sized grid between pixel centres, bilinearly (as the heatmap draws it smoothed). */
function bilinear(grid: Float32Array, u: number, v: number): number {
  const [x0, y0] = [Math.min(WIDTH - 2, Math.max(0, Math.floor(u))), Math.min(HEIGHT - 2, Math.max(0, Math.floor(v)))];
  const [fx, fy] = [Math.min(1, Math.max(0, u - x0)), Math.min(1, Math.max(0, v - y0))];
  const g = (x: number, y: number): number => grid[y * WIDTH + x]!;
  return (1 - fy) * ((1 - fx) * g(x0, y0) + fx * g(x0 + 1, y0)) + fy * ((1 - fx) * g(x0, y0 + 1) + fx * g(x0 + 1, y0 + 1));
}

/** The scan drawn with the overlay, then with the overlay's opacity at 0. */
async function shownAndPlain(fit: Fit): Promise<{ shown: Screen; plain: Screen; errors: string[] }> {
  const errors: string[] = [];
  const page = await openPage(errors);
  try {
    await render(page, payloads[fit]!);
    const shown = await screen(page);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `renderer-explain-${fit}.png`), fullPage: true });
    // Opacity 0 rather than the overlay switch, which also takes the colour bar away and so resizes the plot.
    await page.locator('input[aria-label=opacity]').fill('0');
    const plain = await screen(page);
    assert.deepEqual(plain.box, shown.box, 'the scan stays where it was');
    // Switched off, the overlay leaves the scan whole, in its proportions.
    await page.locator('input[aria-label=overlay]').uncheck();
    const { box } = await screen(page);
    assert.ok(Math.abs(box.width / box.height - WIDTH / HEIGHT) < 0.01, `the scan without the overlay is ${box.width}×${box.height}`);
    return { shown, plain, errors };
  } finally {
    await page.close();
  }
}

const difference = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((v, c) => Math.abs(v - b[c]!)));

/** Plotly's Jet colour scale, as the renderer's heatmap colours a normalised value. */
const JET: readonly [number, [number, number, number]][] = [
  [0, [0, 0, 131]],
  [0.125, [0, 60, 170]],
  [0.375, [5, 255, 255]],
  [0.625, [255, 255, 0]],
  [0.875, [250, 0, 0]],
  [1, [128, 0, 0]],
];
function jet(v: number): [number, number, number] {
  const upper = JET.findIndex(([stop]) => stop >= v);
  if (upper <= 0) return JET[0]![1];
  const [[s0, c0], [s1, c1]] = [JET[upper - 1]!, JET[upper]!];
  const t = (v - s0) / (s1 - s0);
  return [0, 1, 2].map((c) => c0[c]! + t * (c1[c]! - c0[c]!)) as [number, number, number];
}

test("renderer: a cover model's explanation lies over the columns the model saw; the cropped margins show the scan uncoloured", async () => {
  const result = NotebookResultSchema.parse(JSON.parse(payloads.cover!)) as Explain;
  assert.deepEqual(result.view, { slice: { width: WIDTH, height: HEIGHT }, input: { width: 128, height: 128 }, fit: 'cover' });
  const { shown, plain, errors } = await shownAndPlain('cover');
  // A 128² cover model sees columns 32…159; the heatmap is drawn smoothed, so the margin column next to each edge of the view may take a sliver of it.
  let [inView, inMargins] = [0, 0];
  let worstMargin = 0;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const [sx, sy] = under(shown, x, y);
      const tint = difference(rgb(shown, sx, sy), rgb(plain, sx, sy));
      if (x >= 32 && x < 160) inView += tint > 8 ? 1 : 0;
      else if (x !== 31 && x !== 160) {
        inMargins += tint > 2 ? 1 : 0;
        worstMargin = Math.max(worstMargin, tint);
      }
    }
  }
  assert.equal(inMargins, 0, `no overlay colour over the 32 columns either side that the model never saw (largest difference ${worstMargin})`);
  assert.ok(inView > 0.95 * 128 * HEIGHT, `${inView} of the 128×128 pixels the model saw are coloured`);
  assert.deepEqual(errors, []);
});

test("renderer: a contain model's explanation covers the whole scan with the map's part over it, the letterbox padding's share dropped", async () => {
  const result = NotebookResultSchema.parse(JSON.parse(payloads.contain!)) as Explain;
  assert.deepEqual(result.view, { slice: { width: WIDTH, height: HEIGHT }, input: { width: 128, height: 128 }, fit: 'contain' });
  // What the user should see: the map over the letterboxed 128×85 rows of the input, brought onto the scan, normalised.
  const { map } = result;
  const heat = mapToSlice({ width: map.width, height: map.height, data: Float32Array.from(map.data) }, { width: WIDTH, height: HEIGHT }, { size: { width: 128, height: 128 }, fit: 'contain' }).data;
  const [min, max] = [Math.min(...heat), Math.max(...heat)];
  const { shown, plain, errors } = await shownAndPlain('contain');
  let uncoloured = 0;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const [sx, sy] = under(shown, x, y);
      if (difference(rgb(shown, sx, sy), rgb(plain, sx, sy)) <= 8) uncoloured++;
    }
  }
  // Screen pixel by screen pixel inside the picture (its edge pixels are partly the page's): the heatmap is blended at opacity 0.5, so its own colour is
  // 2·shown − plain. Drawn through mapToSlice it matches the expected colours to rounding; stretched over the scan with the padding's share (the
  // renderer before), about one pixel in six is off by more than the tolerance.
  let [off, total, worst] = [0, 0, 0];
  for (let sy = Math.ceil(shown.box.y) + 1; sy < Math.floor(shown.box.y + shown.box.height) - 1; sy++) {
    for (let sx = Math.ceil(shown.box.x) + 1; sx < Math.floor(shown.box.x + shown.box.width) - 1; sx++) {
      const [s, p] = [rgb(shown, sx, sy), rgb(plain, sx, sy)];
      const error = difference(
        s.map((v, c) => 2 * v - p[c]!),
        jet((bilinear(heat, ...onScan(shown, sx, sy)) - min) / (max - min)),
      );
      worst = Math.max(worst, error);
      off += error > 24 ? 1 : 0;
      total++;
    }
  }
  assert.equal(uncoloured, 0, 'every pixel of the scan is coloured');
  assert.ok(off <= 0.01 * total, `the overlay's colours are the map over the scan's rows of the input at ${total - off} of ${total} pixels (worst ${worst.toFixed(0)} levels off)`);
  assert.deepEqual(errors, []);
});

test('renderer: a result saved without the view (before it existed) still draws, its map stretched over the scan', async () => {
  const { view: _view, ...saved } = JSON.parse(payloads.cover!) as Explain;
  const errors: string[] = [];
  const page = await openPage(errors);
  try {
    await render(page, JSON.stringify(saved));
    assert.equal(await page.locator('.sl-error').count(), 0);
    const { box } = await screen(page);
    // The chart spans the map's 16×16 cells, the scan's picture stretched over them as before.
    assert.equal(saved.map.width, saved.map.height);
    assert.ok(Math.abs(box.width - box.height) < 1, `a square picture (${box.width}×${box.height})`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
