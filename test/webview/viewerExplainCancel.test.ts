import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { SliceExplanations, explainSlice } from '../../src/host/viewer/sliceExplanation';
import { explainResult } from '../../src/host/viewer/viewerInference';
import { ROOT } from '../helpers/paths';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-explain-cancel');
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');

test('viewer: Score-CAM cancelled from the host (its progress notification) says "scorecam cancelled", not an error; asked again it runs, reporting its progress', async () => {
  const model: LoadedModel = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const explanations = new SliceExplanations(explainSlice);
  const progress: [number, number][] = [];
  let cancelNext = true;
  const viewer = await bed.open(SAMPLE, (document, request) => {
    if (request.type !== 'explain') return providerAnswer(document, model, request, { explanations });
    // As viewerProvider does for a gradient-free method: progress into the notification, its Cancel into the signal.
    const abort = new AbortController();
    const cancel = cancelNext;
    cancelNext = false;
    return explainResult(explanations, model, document.along(request.axis), request.index, request, {
      signal: abort.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        if (cancel) abort.abort();
      },
    });
  });
  const status = viewer.page.locator('.status');
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    await viewer.request({ type: 'overlay', shown: true, method: 'scorecam' });
    const cancelled = await viewer.until((s) => s.pending === 0);
    assert.equal(cancelled.error, undefined);
    assert.equal(cancelled.overlay.shown, false, 'nothing half-drawn');
    assert.equal(await status.textContent(), 'scorecam cancelled');
    assert.doesNotMatch((await status.getAttribute('class')) ?? '', /\berror\b/);
    assert.equal(progress.length, 1, 'no batch ran after the cancel');

    // Not kept: asked again (the overlay shown anew), the method runs to the end.
    progress.length = 0;
    await viewer.request({ type: 'overlay', shown: false });
    await viewer.request({ type: 'overlay', shown: true, method: 'scorecam' });
    await viewer.until((s) => s.overlay.shown && s.pending === 0);
    assert.ok(progress.length > 1 && progress.at(-1)![0] === progress.at(-1)![1], JSON.stringify(progress));
    assert.match((await status.textContent()) ?? '', /^scorecam for /);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
