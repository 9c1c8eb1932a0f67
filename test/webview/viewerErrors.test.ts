import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getModel } from '../../src/core/model/modelCache';
import { NORMAL_SAMPLE } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-errors');
const { work } = bed;

/**
 * The demo classifier and its PaDiM guard side by side, as they ship, except
 * that the detector folder is not there yet: every classification fails
 * naming it until it is copied in.
 */
function classifierAwaitingDetector(): { manifest: string; detector: string; restore: () => void } {
  const demo = join(ROOT, 'models', 'brain-mri-demo');
  const folder = join(work, 'brain-mri-demo');
  mkdirSync(folder);
  copyFileSync(join(demo, 'model.onnx'), join(folder, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(demo, 'model.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(folder, 'model.json'), JSON.stringify({ ...manifest, anomaly: { detector: 'padim' } }));
  const detector = join(folder, 'padim');
  return { manifest: join(folder, 'model.json'), detector, restore: () => cpSync(join(ROOT, 'models', 'brain-mri-demo-padim'), detector, { recursive: true }) };
}

test('viewer: a failed classification, then one that succeeds: neither the state nor the status line still shows the error', async () => {
  const { manifest, detector, restore } = classifierAwaitingDetector();
  const model = await getModel(manifest, { threads: 1 });
  const viewer = await bed.open(NORMAL_SAMPLE, (document, request) => providerAnswer(document, model, request));
  const status = viewer.page.locator('.status');
  try {
    const failed = await viewer.until((s) => s.error !== undefined && s.pending === 0);
    assert.equal(failed.error, `${detector}: detector not found`);
    assert.deepEqual(failed.probabilities, []);
    assert.equal(await status.textContent(), failed.error);
    assert.match((await status.getAttribute('class')) ?? '', /\berror\b/);

    restore();
    // The user steps onto the slice again (an arrow key); the host asks the same way.
    await viewer.request({ type: 'goto', axis: 'axial', index: 0 });
    const recovered = await viewer.until((s) => s.probabilities.length === model.manifest.labels.length && s.pending === 0);
    assert.equal(recovered.error, undefined);
    assert.equal(await status.textContent(), `model: ${model.manifest.name}`);
    assert.doesNotMatch((await status.getAttribute('class')) ?? '', /\berror\b/);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
