import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type * as vscode from 'vscode';
import { ResultsChannel } from '../../src/host/results/resultsChannel';
import type { HostRequest, ResultsEntry, ResultsState, ResultsView, WebviewRequest } from '../../src/protocol/resultsMessages';
import { bundle, ORIGIN, servingPage, type Served } from '../helpers/browser';
import { browserBed } from '../helpers/browserBed';
import { ROOT } from '../helpers/paths';

/** The results page as resultsHtml() lays it out, with what VS Code gives a webview: acquireVsCodeApi() whose postMessage reaches the host (the test). */
const page = (saved: unknown): string => `<!DOCTYPE html><html><head><link rel="stylesheet" href="/results.css"></head><body>
<div id="app"></div>
<script>window.acquireVsCodeApi = () => ({ postMessage: (message) => window.toHost(message), getState: () => (${JSON.stringify(saved ?? null)}), setState: (state) => { window.savedState = state; } });</script>
<script src="/results.js"></script>
</body></html>`;
const RESULT_PATH = '/work/scanlens-results/synthetic.json';
/** What a page kept before a reload: the table, sorted by probability, one class. */
const SAVED = { reopen: { path: RESULT_PATH }, sort: { key: 'probability', descending: true }, filter: { label: 'notumor' }, mode: 'table' };

/** A 1×1 grey JPEG-free picture: a PNG data URL stands in for the cached thumbnail's webview URI. */
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==';

const LABELS = ['glioma', 'meningioma', 'notumor', 'pituitary'];
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

/** `count` rows: every 7th labelled wrongly, every 50th an error, probabilities falling with the index. */
function view(count: number): ResultsView {
  const entries: ResultsEntry[] = Array.from({ length: count }, (_, i) => {
    if (i % 50 === 49) return { file: `scans/s${i}.png`, kind: 'image', error: `scans/s${i}.png: not a PNG` };
    const label = LABELS[i % 4]!;
    const p = 0.99 - (0.6 * i) / count;
    return { file: `scans/s${i}.png`, kind: 'image', top: { label, probability: p }, margin: 2 * p - 1, entropy: 1 - p, truth: i % 7 === 3 ? LABELS[(i + 1) % 4]! : label };
  });
  const confusion = LABELS.map((_, t) => LABELS.map((__, p) => entries.filter((e) => e.truth === LABELS[t] && e.top?.label === LABELS[p]).length));
  const curve = { fpr: [0, 0.1, 1], tpr: [0, 0.8, 1] };
  return {
    reopen: { path: RESULT_PATH },
    title: 'synthetic.json',
    source: 'scanlens-results/synthetic.json',
    model: { name: 'synthetic', labels: LABELS },
    entries,
    audit: {
      source: 'class folders',
      evaluated: entries.filter((e) => e.top).length,
      failed: entries.filter((e) => e.error).length,
      unlabelled: 0,
      accuracy: 0.85,
      perClass: LABELS.map((label) => ({ label, precision: 0.8, recall: 0.9, support: count / 4, auc: 0.9, averagePrecision: 0.85 })),
      confusion,
      roc: LABELS.map((label) => ({ label, ...curve, auc: 0.9 })),
      precisionRecall: LABELS.map((label) => ({ label, recall: [1, 0.5, 0], precision: [0.25, 0.8, 1], averagePrecision: 0.85 })),
      calibration: { ece: 0.05, mce: 0.1, brier: 0.2, nll: 0.4, bins: [{ low: 0.4, high: 0.6, count: 10, confidence: 0.5, accuracy: 0.4 }] },
    },
  };
}

let files: Record<string, Served> = {};
const bed = browserBed('results-page', async () => {
  files = {
    '/': { body: page(undefined), type: 'text/html' },
    '/restored': { body: page(SAVED), type: 'text/html' },
    ...(await bundle(join(ROOT, 'src', 'webview', 'results', 'results.ts'), { format: 'iife' })),
  };
});

interface Opened {
  readonly page: Page;
  readonly errors: string[];
  readonly asked: HostRequest[];
  request(request: WebviewRequest): Promise<ResultsState>;
  until(done: (state: ResultsState) => boolean): Promise<ResultsState>;
}

/** The page with a host answering from `shown`, over a real ResultsChannel carried by the browser's postMessage. */
async function open(shown: ResultsView, path = '/'): Promise<Opened> {
  const errors: string[] = [];
  const asked: HostRequest[] = [];
  const page = await servingPage(bed.browser(), files, errors);
  const listeners: ((message: unknown) => void)[] = [];
  await page.exposeFunction('toHost', (message: unknown) => listeners.forEach((listen) => listen(message)));
  const webview = {
    onDidReceiveMessage: (listener: (message: unknown) => void) => (listeners.push(listener), { dispose: () => undefined }),
    // Answers still on their way when a test closes the page are dropped, as VS Code drops them for a closed panel.
    postMessage: (message: unknown) =>
      page
        .evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'), message)
        .then(
          () => true,
          () => false,
        ),
  } as unknown as vscode.Webview;
  const channel = new ResultsChannel(
    webview,
    async (request) => {
      asked.push(request);
      if (request.type === 'load') return shown;
      if (request.type === 'thumbnail') return { src: PIXEL };
      if (request.type === 'open') return { file: shown.entries[request.index]!.file };
      throw new Error(`${request.type}: not expected here`);
    },
    () => undefined,
    (reason) => errors.push(reason),
  );
  await page.goto(`${ORIGIN}${path}`);
  const request = (r: WebviewRequest): Promise<ResultsState> => channel.request(r) as Promise<ResultsState>;
  const until = async (done: (state: ResultsState) => boolean): Promise<ResultsState> => {
    for (let i = 0; i < 400; i++) {
      const state = await request({ type: 'state' });
      if (done(state)) return state;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the page never got there');
  };
  return { page, errors, asked, request, until };
}

test('results page: 2,000 rows drawn as a window of tiles whose thumbnails are asked for as they come into view; the element count does not grow when scrolling', async () => {
  const page = await open(view(2_000));
  try {
    const top = await page.until((s) => s.loaded && s.firstPaintMs !== undefined && s.thumbnails > 0);
    assert.equal(top.entries, 2_000);
    assert.ok(top.rendered.length > 0 && top.rendered.length < 100, `${top.rendered.length} tiles drawn`);
    const thumbnails = (): number[] => page.asked.flatMap((r) => (r.type === 'thumbnail' ? [r.index] : []));
    const galleries = new Set([...top.audit!.wrong, ...top.audit!.uncertain]);
    assert.ok(
      thumbnails().every((i) => top.rendered.includes(i) || galleries.has(i)),
      'only tiles on screen (and the galleries) ask for a picture',
    );
    assert.ok(!thumbnails().some((i) => i % 50 === 49), 'an error row asks for none');
    const end = await page.request({ type: 'reveal', position: 1_999 });
    assert.ok(end.rendered.includes(end.shown[1_999]!));
    assert.ok(Math.abs(end.domNodes - top.domNodes) < 40, `elements: ${top.domNodes} at the top, ${end.domNodes} at the end`);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.page.close();
  }
});

test('results page: arrows move the focus by one and by a row of the grid, Enter opens the focused scan, / focuses the filter and typing filters', async () => {
  const page = await open(view(200));
  try {
    const start = await page.until((s) => s.loaded && s.firstPaintMs !== undefined);
    const columns = Math.floor((await page.page.locator('.scroller').evaluate((e) => e.clientWidth)) / 148);
    await page.page.locator('.scroller').focus();
    await page.page.keyboard.press('ArrowRight');
    await page.page.keyboard.press('ArrowDown');
    const moved = await page.request({ type: 'state' });
    assert.equal(moved.focused, start.shown[1 + columns]);
    await page.page.keyboard.press('Enter');
    await page.until(() => page.asked.some((r) => r.type === 'open'));
    assert.deepEqual(
      page.asked.filter((r) => r.type === 'open'),
      [{ type: 'open', index: start.shown[1 + columns] }],
    );
    await page.page.keyboard.press('/');
    await page.page.keyboard.type('s12');
    const filtered = await page.request({ type: 'state' });
    assert.equal(filtered.filter.text, 's12');
    assert.deepEqual(
      filtered.shown.map((i) => `scans/s${i}.png`),
      ['scans/s12.png', ...Array.from({ length: 10 }, (_, k) => `scans/s${120 + k}.png`)],
    );
    assert.deepEqual(page.errors, []);
  } finally {
    await page.page.close();
  }
});

test('results page: a confusion-matrix cell shows its scans; the audit draws one ROC and one precision–recall curve per class and the reliability bars', async () => {
  const shown = view(200);
  const page = await open(shown);
  try {
    await page.until((s) => s.loaded && s.audit !== undefined);
    assert.equal(await page.page.locator('.roc polyline').count(), 2 * LABELS.length, 'a ROC and a precision–recall curve per class');
    assert.match((await page.page.locator('.roc title').nth(1).textContent()) ?? '', /^Precision–recall curves: .* AP 0\.850/);
    assert.equal(await page.page.locator('.reliability rect.bar').count(), 1);
    if (SCREENSHOTS) await page.page.screenshot({ path: join(SCREENSHOTS, 'results-audit.png') });
    await page.page.locator('.confusion tbody tr').nth(0).locator('button').nth(1).click();
    const cell = await page.request({ type: 'state' });
    assert.deepEqual(cell.filter, { truth: 'glioma', label: 'meningioma' });
    const expected = shown.entries.flatMap((e, i) => (e.truth === 'glioma' && e.top?.label === 'meningioma' ? [i] : []));
    assert.deepEqual(
      [...cell.shown].sort((a, b) => a - b),
      expected,
    );
    assert.equal(expected.length, shown.audit && 'confusion' in shown.audit ? shown.audit.confusion[0]![1] : -1);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.page.close();
  }
});

test('results page: it keeps where it was in the webview state, and after a reload opens the same result as it was sorted, filtered and shown', async () => {
  const shown = view(200);
  const fresh = await open(shown);
  try {
    await fresh.until((s) => s.loaded);
    await fresh.request({ type: 'sort', sort: { key: 'entropy', descending: true } });
    await fresh.request({ type: 'mode', mode: 'table' });
    assert.deepEqual(await fresh.page.evaluate('window.savedState'), { reopen: { path: RESULT_PATH }, sort: { key: 'entropy', descending: true }, filter: {}, mode: 'table' });
  } finally {
    await fresh.page.close();
  }
  const restored = await open(shown, '/restored');
  try {
    const state = await restored.until((s) => s.loaded && s.firstPaintMs !== undefined);
    assert.equal(state.mode, 'table');
    assert.deepEqual(state.sort, SAVED.sort);
    assert.deepEqual(state.filter, SAVED.filter);
    assert.ok(state.shown.length > 0 && state.shown.every((i) => shown.entries[i]!.top?.label === 'notumor'));
    const p = state.shown.map((i) => shown.entries[i]!.top!.probability);
    assert.deepEqual(
      p,
      [...p].sort((a, b) => b - a),
    );
    assert.equal(await restored.page.locator('.trow.thead').isVisible(), true, 'the table header is shown');
    if (SCREENSHOTS) await restored.page.screenshot({ path: join(SCREENSHOTS, 'results-table.png') });
    assert.deepEqual(restored.errors, []);
  } finally {
    await restored.page.close();
  }
});
