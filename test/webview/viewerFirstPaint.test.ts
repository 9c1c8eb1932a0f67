import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { getModel } from '../../src/core/model/modelCache';
import { classifySlice } from '../../src/host/viewer/viewerInference';
import type { HostRequest } from '../../src/protocol/viewerMessages';
import { ROOT } from '../helpers/paths';
import { viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-first-paint');

test('viewer: the slice is drawn while the model is still loading; its probabilities follow once it has loaded', async () => {
  const model = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const asked: HostRequest['type'][] = [];
  let loaded!: () => void;
  const loading = new Promise<void>((resolve) => (loaded = resolve));
  // The provider's answers with the overlay off, its model slow to load (onnxruntime's first require, a big model).
  const viewer = await bed.open(join(ROOT, 'samples', 'glioma-01.png'), async (document, request) => {
    asked.push(request.type);
    if (request.type === 'info') return document.info(basename(document.uri.fsPath));
    if (request.type === 'slice') return document.slice(request.axis, request.index);
    if (request.type === 'model') return loading.then(() => ({ model: { name: model.manifest.name, labels: [...model.manifest.labels] } }));
    if (request.type === 'classify') return classifySlice(model, document.along(request.axis), request.index);
    throw new Error(`${request.type}: not asked for with the overlay off`);
  });
  try {
    const painted = await viewer.until((s) => s.paints > 0);
    assert.equal(painted.error, undefined);
    assert.deepEqual(painted.probabilities, []);
    assert.ok(painted.pending > 0, 'the page still waits for the model');
    assert.deepEqual(asked.slice(0, 2), ['info', 'slice'], 'the slice is asked for before the model');

    loaded();
    const inferred = await viewer.until((s) => s.probabilities.length === model.manifest.labels.length && s.pending === 0);
    assert.equal(inferred.paints, 1, 'the slice is not drawn again');
    assert.ok((await viewer.page.locator('.chart[aria-label="Class probabilities"] .main-svg').count()) > 0, 'the bar chart is on the page');
    assert.ok(asked.indexOf('classify') > asked.indexOf('model'), 'classified only once the model is known');
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
