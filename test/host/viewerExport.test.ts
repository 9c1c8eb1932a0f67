import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { explanationPng } from '../../src/core/render/explanationOverlay';
import { DEFAULT_LIMITS } from '../../src/core/scan/limits';
import { loadScan } from '../../src/core/scan/loadScan';
import { sliceImage, type Scan } from '../../src/core/scan/scan';
import { exportReport, windowed, type ExportRequest } from '../../src/host/viewer/exportReport';
import { SliceExplanations, explainSlice } from '../../src/host/viewer/sliceExplanation';
import { explainResult } from '../../src/host/viewer/viewerInference';
import type { ExplainChoice, OverlayOptions } from '../../src/protocol/viewerMessages';
import { ROOT } from '../helpers/paths';

const work = mkdtempSync(join(tmpdir(), 'scanlens-viewer-export-'));
process.env['SCANLENS_CACHE_DIR'] = work;
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');
const WINDOW = { center: 127.5, width: 255 };

let model: LoadedModel;

before(async () => {
  model = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
});

after(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseModels();
});

/** The explanations the provider keeps, with each run the engine makes counted. */
function counted(): { explanations: SliceExplanations; runs: ExplainChoice[] } {
  const runs: ExplainChoice[] = [];
  return { runs, explanations: new SliceExplanations((m, scan, index, choice) => (runs.push(choice), explainSlice(m, scan, index, choice))) };
}

const request = (scan: Scan, explanations: SliceExplanations, overlay: OverlayOptions): ExportRequest => ({
  file: SAMPLE,
  folder: mkdtempSync(join(work, 'report-')),
  scan,
  axis: 'axial',
  index: 0,
  window: WINDOW,
  overlay,
  explanations,
});

test('Export Report after an explanation was shown draws the one on screen: the explanation is not run again, and the picture is what a fresh run gives', async () => {
  const scan = await loadScan(SAMPLE, DEFAULT_LIMITS);
  const { explanations, runs } = counted();
  const shown = await explainResult(explanations, model, scan, 0, { method: 'gradcam' });
  assert.equal(runs.length, 1);

  // The page recoloured it (viridis) and set another opacity, without asking the host; then Export Report.
  const overlay: OverlayOptions = { method: 'gradcam', colormap: 'viridis', opacity: 0.55 };
  const written = await exportReport(model, request(scan, explanations, overlay));
  assert.equal(runs.length, 1, 'the explanation on screen was reused, not computed again');
  const report = JSON.parse(readFileSync(written.json, 'utf8')) as { explanation: { method: string; class: { index: number }; colormap: string; opacity: number } };
  assert.deepEqual([report.explanation.method, report.explanation.class.index, report.explanation.colormap, report.explanation.opacity], ['gradcam', shown.classIndex, 'viridis', 0.55]);

  // The same picture as before: the overlay of an explanation computed afresh.
  const fresh = await explainSlice(model, scan, 0, { method: 'gradcam' });
  const expected = explanationPng(windowed(sliceImage(scan, 0), WINDOW), fresh.map, model.manifest.input, 'viridis', 0.55);
  assert.ok(readFileSync(written.png).equals(expected), 'the exported PNG is byte for byte the freshly computed one');

  // Shown again (the overlay toggled, or in another colormap): the same heat, still one run.
  const again = await explainResult(explanations, model, scan, 0, { method: 'gradcam' });
  assert.deepEqual(again.heat, shown.heat);
  assert.equal(runs.length, 1);
});

test('what was not shown is computed once, then kept: another class, another method, another document', async () => {
  const scan = await loadScan(SAMPLE, DEFAULT_LIMITS);
  const { explanations, runs } = counted();
  await explainResult(explanations, model, scan, 0, { method: 'gradcam' });
  // Exported before it was ever shown: computed by the export, then kept for the overlay.
  await exportReport(model, request(scan, explanations, { method: 'gradcam++', classIndex: 1, colormap: 'jet', opacity: 0.4 }));
  const shown = await explainResult(explanations, model, scan, 0, { method: 'gradcam++', classIndex: 1 });
  assert.equal(shown.classIndex, 1);
  assert.deepEqual(runs, [{ method: 'gradcam' }, { method: 'gradcam++', classIndex: 1 }]);
  // The same file opened again is another scan (another viewer document), so explained anew.
  await explainResult(explanations, model, await loadScan(SAMPLE, DEFAULT_LIMITS), 0, { method: 'gradcam' });
  assert.equal(runs.length, 3);
});

test('a failed explanation is not kept: the next request runs it again and reports its own reason', async () => {
  const scan = await loadScan(SAMPLE, DEFAULT_LIMITS);
  let calls = 0;
  const explanations = new SliceExplanations(async (m, s, index, choice) => {
    if (++calls === 1) throw new Error('inference failed (out of memory)');
    return explainSlice(m, s, index, choice);
  });
  await assert.rejects(explainResult(explanations, model, scan, 0, { method: 'gradcam' }), /out of memory/);
  const shown = await explainResult(explanations, model, scan, 0, { method: 'gradcam' });
  assert.equal(shown.method, 'gradcam');
  assert.equal(calls, 2);
});
