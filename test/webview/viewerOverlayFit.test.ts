import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getModel } from '../../src/core/model/modelCache';
import { demoWithFit, wideSlice } from '../helpers/fittedDemo';
import { slicePixels } from '../helpers/slicePixels';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-overlay-fit');
const [WIDTH, HEIGHT] = [192, 128];

test("viewer: a cover model's explanation lies over the columns the model saw; the cropped margins show the slice untinted", async () => {
  const model = await getModel(demoWithFit(bed.work, 'cover'), { threads: 1 });
  const { path } = await wideSlice(bed.work);
  const viewer = await bed.open(path, (document, request) => providerAnswer(document, model, request));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    const plain = await slicePixels(viewer, WIDTH, HEIGHT);
    await viewer.request({ type: 'overlay', shown: true });
    await viewer.until((s) => s.overlay.shown && s.pending === 0);
    const tinted = (shown: Uint8ClampedArray, x: number, y: number): boolean => [0, 1, 2].some((c) => shown[(y * WIDTH + x) * 3 + c] !== plain[(y * WIDTH + x) * 3 + c]);
    let shown = await slicePixels(viewer, WIDTH, HEIGHT);
    // The canvas repaints on the next frame.
    for (let i = 0; i < 40 && !tinted(shown, WIDTH / 2, HEIGHT / 2); i++) {
      await viewer.page.waitForTimeout(50);
      shown = await slicePixels(viewer, WIDTH, HEIGHT);
    }
    // The page draws the overlay smoothed, so the margin column next to each edge of the view may take a sliver of its neighbour.
    const edge = (x: number): boolean => x === 31 || x === 160;
    const difference = (x: number, y: number): number => Math.max(...[0, 1, 2].map((c) => Math.abs(shown[(y * WIDTH + x) * 3 + c]! - plain[(y * WIDTH + x) * 3 + c]!)));
    let [inView, inMargins, atEdges] = [0, 0, 0];
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        if (x >= 32 && x < 160) inView += tinted(shown, x, y) ? 1 : 0;
        else if (edge(x)) atEdges = Math.max(atEdges, difference(x, y));
        else inMargins += tinted(shown, x, y) ? 1 : 0;
      }
    }
    assert.equal(inMargins, 0, 'no colour over the 32 columns either side that the model never saw');
    assert.ok(atEdges <= 8, `the columns next to the view differ from the slice by ${atEdges} levels at most`);
    assert.ok(inView > 0.95 * 128 * 128, `${inView} of the 128×128 pixels the model saw are tinted`);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
