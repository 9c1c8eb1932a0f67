import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-smoothing');
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');

test("viewer: the smoothing list explains again with aug_smooth (a map at the input's size, as scanlens explain --aug-smooth gives) and Export Report says so; no smoothing returns to the layer's map", async () => {
  process.env['SCANLENS_CACHE_DIR'] = bed.work;
  const cli = runCli(['explain', SAMPLE, '--threads', '1', '--method', 'gradcam', '--aug-smooth', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = JSON.parse(cli.stdout) as { map: { width: number; height: number } };
  const model: LoadedModel = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const reports = join(bed.work, 'reports');
  mkdirSync(reports);
  const viewer = await bed.open(SAMPLE, (document, request) => providerAnswer(document, model, request, { reports }));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    const plain = await viewer.request({ type: 'overlay', shown: true, method: 'gradcam' });
    const layerSize = plain.overlay.mapSize!;
    assert.ok(layerSize[0] < fromCli.map.width, `Grad-CAM's own map (${layerSize.join('×')}) is coarser than the input`);
    const smoothed = await viewer.request({ type: 'overlay', shown: true, smooth: 'aug' });
    assert.equal(smoothed.overlay.smooth, 'aug');
    assert.deepEqual(smoothed.overlay.mapSize, [fromCli.map.width, fromCli.map.height]);
    assert.equal(await viewer.page.locator('select[aria-label="Smoothing"]').inputValue(), 'aug');
    const written = await viewer.request({ type: 'export' });
    assert.equal((JSON.parse(readFileSync(written.json, 'utf8')) as { explanation: { smooth?: string } }).explanation.smooth, 'aug');
    const back = await viewer.request({ type: 'overlay', shown: true, smooth: 'none' });
    assert.equal(back.overlay.smooth, undefined);
    assert.deepEqual(back.overlay.mapSize, layerSize);
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
