import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type * as vscode from 'vscode';
import { modelGuard } from '../../src/core/anomaly/modelGuard';
import { hasGuard, type OodGuard } from '../../src/core/anomaly/oodGuard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { anomalyMapResult } from '../../src/host/viewer/anomalyOverlay';
import { exportReport } from '../../src/host/viewer/exportReport';
import { SliceExplanations } from '../../src/host/viewer/sliceExplanation';
import { SliceScorecards } from '../../src/host/viewer/sliceScorecard';
import { ViewerChannel } from '../../src/host/viewer/viewerChannel';
import { ViewerDocument } from '../../src/host/viewer/viewerDocument';
import { classifySlice, explainResult } from '../../src/host/viewer/viewerInference';
import { VolumeAnomalies } from '../../src/host/viewer/volumeAnomaly';
import type { HostRequest, SliceHeat, ViewerState, WebviewRequest, WebviewResult } from '../../src/protocol/viewerMessages';
import { ORIGIN, bundle, servingPage, type Served } from './browser';
import { browserBed } from './browserBed';
import { ROOT } from './paths';

/** The page keeps its view in VS Code's webview state; this one starts with the overlay off, so only probabilities are asked for. */
const SAVED_STATE = { axis: 'axial', slice: 0, pan: [0, 0], overlayShown: false, overlay: { method: 'gradcam', colormap: 'jet', opacity: 0.4 } };

/**
 * The viewer page as viewerHtml() lays it out, with what VS Code gives a
 * webview: acquireVsCodeApi() whose postMessage reaches the extension host
 * (here the test, through an exposed function) and the saved state.
 */
const PAGE = `<!DOCTYPE html><html><head><link rel="stylesheet" href="/viewer.css"></head><body>
<div id="app"></div>
<script>window.acquireVsCodeApi = () => ({ postMessage: (message) => window.toHost(message), getState: () => (${JSON.stringify(SAVED_STATE)}), setState: () => {} });</script>
<script src="/viewer.js"></script>
</body></html>`;

/** The viewer bundle, its stylesheet, plotly and the page, as the browser asks for them. */
export async function viewerFiles(): Promise<Record<string, Served>> {
  return {
    '/': { body: PAGE, type: 'text/html' },
    ...(await bundle(join(ROOT, 'src', 'webview', 'viewer.ts'), { format: 'iife' })),
    '/plotly.js': { body: readFileSync(join(ROOT, 'node_modules', 'plotly.js-basic-dist-min', 'plotly-basic.min.js')), type: 'text/javascript' },
  };
}

/** The page's window, as seen from the tests' (DOM-less) types. */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string): void;
}

export interface ViewerPage {
  readonly page: Page;
  /** Script errors on the page and invalid messages from it. */
  readonly errors: string[];
  /** A request of the host to the page, as the provider's query() sends it. */
  request<T extends WebviewRequest['type']>(request: Extract<WebviewRequest, { type: T }>): Promise<WebviewResult<T>>;
  /** Polls the page's state until `done` holds (at most 20 s). */
  until(done: (state: ViewerState) => boolean): Promise<ViewerState>;
  close(): Promise<void>;
}

/**
 * Opens `file` in the viewer page; the page's requests go to `handle` (the
 * provider's part), over a real ViewerChannel whose two calls of
 * vscode.Webview are carried over the browser's own postMessage.
 */
export async function openViewerPage(
  browser: Browser,
  files: Readonly<Record<string, Served>>,
  file: string,
  handle: (document: ViewerDocument, request: HostRequest) => Promise<unknown>,
): Promise<ViewerPage> {
  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  const listeners: ((message: unknown) => void)[] = [];
  await page.exposeFunction('toHost', (message: unknown) => listeners.forEach((listen) => listen(message)));
  const webview = {
    onDidReceiveMessage: (listener: (message: unknown) => void) => (listeners.push(listener), { dispose: () => undefined }),
    postMessage: async (message: unknown) => (await page.evaluate((m) => (globalThis as unknown as PageWindow).postMessage(m, '*'), message), true),
  } as unknown as vscode.Webview;
  // ViewerDocument reads only its Uri's path (and keeps the Uri for the provider's file name).
  const document = await ViewerDocument.open({ fsPath: file } as vscode.Uri);
  const channel = new ViewerChannel(
    webview,
    (request) => handle(document, request),
    () => undefined,
    (reason) => errors.push(reason),
  );
  await page.goto(`${ORIGIN}/`);
  return {
    page,
    errors,
    request: (request) => channel.request(request),
    async until(done) {
      let state: ViewerState | undefined;
      for (let i = 0; i < 400; i++) {
        state = await channel.request({ type: 'state' });
        if (done(state)) return state;
        await page.waitForTimeout(50);
      }
      throw new Error(`the viewer did not get there: ${JSON.stringify(state)}`);
    },
    async close() {
      channel.dispose();
      document.dispose();
      await page.close();
    },
  };
}

/** The explanations and scorecards kept, as the provider keeps one set for every document. */
const KEPT = new SliceExplanations();
const SCORECARDS = new SliceScorecards();
const ANOMALIES = new VolumeAnomalies();

export interface ProviderOptions {
  /** Gets the heat of each anomaly map sent to the page. */
  readonly seen?: (heat: SliceHeat) => void;
  /** The explanations kept (a test that counts the runs passes its own). */
  readonly explanations?: SliceExplanations;
  /** Where Export Report writes; without it the page's export is refused. */
  readonly reports?: string;
}

/** The provider's answers for `model` (src/host/viewer/viewerProvider.ts). */
export async function providerAnswer(document: ViewerDocument, model: LoadedModel, request: HostRequest, options: ProviderOptions = {}): Promise<unknown> {
  const explanations = options.explanations ?? KEPT;
  switch (request.type) {
    case 'info':
      return document.info(basename(document.uri.fsPath));
    case 'model':
      return { model: { name: model.manifest.name, labels: [...model.manifest.labels], detector: hasGuard(model) } };
    case 'slice':
      return document.slice(request.axis, request.index);
    case 'classify':
      return classifySlice(model, document.along(request.axis), request.index, await modelGuard(model));
    case 'explain':
      return explainResult(explanations, model, document.along(request.axis), request.index, request);
    case 'score':
      return SCORECARDS.score(explanations, model, document.along(request.axis), request.index, request);
    case 'anomalyMap': {
      const guard = (await modelGuard(model))!;
      // A volume's map is the volume's, cut for each slice of each axis, as the provider does it.
      const result = document.isVolume ? await ANOMALIES.result(guard, document.scan, request.axis, request.index) : await anomalyMapResult(guard, document.along(request.axis), request.index);
      options.seen?.(result.heat);
      return result;
    }
    case 'export': {
      if (!options.reports) throw new Error('export: not asked for here');
      const { axis, index, window, overlay } = request;
      return exportReport(model, {
        file: document.uri.fsPath,
        folder: options.reports,
        scan: document.along(axis),
        axis,
        index,
        window,
        overlay,
        explanations,
        scorecards: SCORECARDS,
        ...(document.isVolume ? { volumeAnomaly: (guard: OodGuard) => ANOMALIES.result(guard, document.scan, axis, index) } : {}),
      });
    }
    default:
      throw new Error(`${request.type}: not asked for here`);
  }
}

export interface ViewerTestBed {
  /** A fresh folder, also the derived-model cache, so tests never write to the user's. */
  readonly work: string;
  open(file: string, handle: (document: ViewerDocument, request: HostRequest) => Promise<unknown>): Promise<ViewerPage>;
}

/** Registers a test file's set-up: chromium and the viewer bundle before its tests; after them, the browser, the folder and every model and feature session released. */
export function viewerTestBed(name: string): ViewerTestBed {
  let files: Record<string, Served> = {};
  const bed = browserBed(name, async () => {
    files = await viewerFiles();
  });
  return { work: bed.work, open: (file, handle) => openViewerPage(bed.browser(), files, file, handle) };
}
