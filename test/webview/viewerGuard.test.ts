import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { guardFor } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { outOfDistributionWarning } from '../../src/core/vocabulary/outOfDistribution';
import type { ViewerState } from '../../src/protocol/viewerMessages';
import { FLAGGED_SAMPLE, NORMAL_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-guard');
const { work } = bed;
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

let guarded: LoadedModel;

before(async () => {
  guarded = await getModel(guardedDemoModel(work), { threads: 1 });
});

interface Opened {
  readonly state: ViewerState;
  readonly guardText: string;
  readonly guardShown: boolean;
  readonly guardWarns: boolean;
  readonly pageText: string;
}

/** Opens `file` in the viewer page with `model`, waits until its probabilities are drawn, and reads what it shows. */
async function openInViewer(file: string, model: LoadedModel, screenshot?: string): Promise<Opened> {
  const viewer = await bed.open(file, (document, request) => providerAnswer(document, model, request));
  try {
    const state = await viewer.until((s) => {
      if (s.error) throw new Error(`viewer shows an error: ${s.error}`);
      return s.probabilities.length > 0 && s.pending === 0;
    });
    assert.equal(state.probabilities.length, model.manifest.labels.length, 'probabilities drawn');
    const { page } = viewer;
    if (screenshot && SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, screenshot) });
    const guard = page.locator('.guard');
    const opened = {
      state,
      guardText: (await guard.textContent()) ?? '',
      guardShown: await guard.isVisible(),
      guardWarns: (await guard.getAttribute('class'))!.split(' ').includes('warning'),
      pageText: (await page.locator('#app').textContent()) ?? '',
    };
    assert.deepEqual(viewer.errors, []);
    return opened;
  } finally {
    await viewer.close();
  }
}

test('viewer: a flagged slice shows the warning, with score and threshold, above its probabilities', async () => {
  const expected = await (await guardFor(guarded))!.check(FLAGGED_SAMPLE);
  assert.ok(expected.flag, 'the demo detector flags the lesion slice');
  const warning = outOfDistributionWarning(expected.anomalyScore, expected.threshold);
  const opened = await openInViewer(FLAGGED_SAMPLE, guarded, 'viewer-ood-flagged.png');
  assert.equal(opened.state.warning, warning);
  assert.equal(opened.guardText, `⚠ ${warning}`);
  assert.ok(opened.guardShown && opened.guardWarns);
  assert.ok(opened.pageText.indexOf(warning) < opened.pageText.indexOf('Overlay'), 'in the Probabilities section');
});

test('viewer: a normal slice shows only that the check passed; without a guard, nothing at all', async () => {
  const passed = await openInViewer(NORMAL_SAMPLE, guarded, 'viewer-ood-passed.png');
  assert.equal(passed.state.warning, undefined);
  assert.match(passed.guardText, /^Out-of-distribution check passed \(anomaly score \d+\.\d\d < threshold 13\.14\)\.$/);
  assert.ok(passed.guardShown && !passed.guardWarns);
  assert.doesNotMatch(passed.pageText, /should not be trusted/);

  const unguarded = await openInViewer(FLAGGED_SAMPLE, await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 }));
  assert.equal(unguarded.state.warning, undefined);
  assert.equal(unguarded.guardShown, false);
  assert.doesNotMatch(unguarded.pageText, /Out.of.distribution|anomaly score/);
});
