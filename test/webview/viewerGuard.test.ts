import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type * as vscode from 'vscode';
import { guardFor } from '../../src/core/anomaly/oodGuard';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel, releaseModels } from '../../src/core/model/modelCache';
import { sliceGuard } from '../../src/host/viewer/sliceGuard';
import { ViewerChannel } from '../../src/host/viewer/viewerChannel';
import { ViewerDocument } from '../../src/host/viewer/viewerDocument';
import { classifySlice } from '../../src/host/viewer/viewerInference';
import { outOfDistributionWarning } from '../../src/protocol/outOfDistribution';
import type { HostRequest, ViewerState } from '../../src/protocol/viewerMessages';
import { ORIGIN, bundle, launchChromium, servingPage, type Served } from '../helpers/browser';
import { FLAGGED_SAMPLE, NORMAL_SAMPLE, guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-viewer-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

/** The page keeps its view in VS Code's webview state; this one starts with the overlay off, so only probabilities are asked for. */
const SAVED_STATE = { axis: 'axial', slice: 0, pan: [0, 0], overlayShown: false, overlay: { method: 'gradcam', colormap: 'jet', opacity: 0.4 } };

/**
 * The viewer page as viewerHtml() lays it out, with what VS Code gives a
 * webview: acquireVsCodeApi() whose postMessage reaches the extension host
 * (here this test, through an exposed function) and the saved state.
 */
const PAGE = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/viewer.css"></head><body>
<div id="app"></div>
<script>window.acquireVsCodeApi = () => ({ postMessage: (message) => window.toHost(message), getState: () => (${JSON.stringify(SAVED_STATE)}), setState: () => {} });</script>
<script src="/viewer.js"></script>
</body></html>`;

let browser: Browser;
let files: Record<string, Served>;
let guarded: LoadedModel;

before(async () => {
  guarded = await getModel(guardedDemoModel(work), { threads: 1 });
  files = {
    '/': { body: PAGE, type: 'text/html' },
    ...(await bundle(join(ROOT, 'src', 'webview', 'viewer.ts'), { format: 'iife' })),
    '/plotly.js': { body: readFileSync(join(ROOT, 'node_modules', 'plotly.js-basic-dist-min', 'plotly-basic.min.js')), type: 'text/javascript' },
  };
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

/** The provider's answers to the requests this page makes with the overlay off (src/host/viewer/viewerProvider.ts). */
async function answer(document: ViewerDocument, model: LoadedModel, request: HostRequest): Promise<unknown> {
  switch (request.type) {
    case 'info':
      return { ...document.info(basename(document.uri.fsPath)), model: { name: model.manifest.name, labels: [...model.manifest.labels] } };
    case 'slice':
      return document.slice(request.axis, request.index);
    case 'classify':
      return classifySlice(model, document.along(request.axis), request.index, await sliceGuard(model));
    default:
      throw new Error(`${request.type}: not asked for with the overlay off`);
  }
}

/** The page's window, as seen from this test's (DOM-less) types. */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
}

interface Opened {
  readonly state: ViewerState;
  readonly guardText: string;
  readonly guardShown: boolean;
  readonly guardWarns: boolean;
  readonly pageText: string;
}

/** Opens `file` in the viewer page with `model`, waits until its probabilities are drawn, and reads what it shows. */
async function openInViewer(file: string, model: LoadedModel, screenshot?: string): Promise<Opened> {
  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  const listeners: ((message: unknown) => void)[] = [];
  await page.exposeFunction('toHost', (message: unknown) => listeners.forEach((listen) => listen(message)));
  // The two calls of vscode.Webview the channel makes, carried over the browser's own postMessage (typed arrays stay typed).
  const webview = {
    onDidReceiveMessage: (listener: (message: unknown) => void) => (listeners.push(listener), { dispose: () => undefined }),
    postMessage: async (message: unknown) => (await page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(m, '*'), message), true),
  } as unknown as vscode.Webview;
  // ViewerDocument reads only its Uri's path (and keeps the Uri for the provider's file name).
  const document = await ViewerDocument.open({ fsPath: file } as vscode.Uri);
  const channel = new ViewerChannel(webview, (request) => answer(document, model, request), () => undefined, (reason) => errors.push(reason));
  try {
    await page.goto(`${ORIGIN}/`);
    let state: ViewerState | undefined;
    for (let i = 0; i < 400 && !(state && state.probabilities.length > 0 && state.pending === 0); i++) {
      state = (await channel.request({ type: 'state' })) as ViewerState;
      if (state.error) throw new Error(`viewer shows an error: ${state.error}`);
      await page.waitForTimeout(50);
    }
    assert.ok(state && state.probabilities.length === model.manifest.labels.length, 'probabilities drawn');
    if (screenshot && SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, screenshot) });
    const guard = page.locator('.guard');
    const opened = {
      state,
      guardText: (await guard.textContent()) ?? '',
      guardShown: await guard.isVisible(),
      guardWarns: (await guard.getAttribute('class'))!.split(' ').includes('warning'),
      pageText: (await page.locator('#app').textContent()) ?? '',
    };
    assert.deepEqual(errors, []);
    return opened;
  } finally {
    channel.dispose();
    document.dispose();
    await page.close();
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
  assert.ok(opened.pageText.indexOf(warning) < opened.pageText.indexOf('Explanation'), 'in the Probabilities section');
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
