import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { releaseFeatureSessions } from '../../src/core/anomaly/features/featureSession';
import { releaseModels } from '../../src/core/model/modelCache';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { NotebookResultSchema, SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { outOfDistributionWarning } from '../../src/protocol/outOfDistribution';
import { ORIGIN, bundle, launchChromium, servingPage, type Served } from '../helpers/browser';
import { guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-renderer-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

let browser: Browser;
let files: Record<string, Served>;
/** The classify payload the kernel writes for a flagged lesion slice and a normal slice, with the guarded demo model. */
let payload: string;

/**
 * The renderer as VS Code loads it: an ES module whose activate() gets the
 * renderer context, then renderOutputItem() with an output item per output.
 * (Page code lives here, not in evaluate callbacks, which tsx would rewrite.)
 */
const PAGE = `<!DOCTYPE html><html><body><div id="out"></div>
<script type="module">
import { activate } from '/renderer.js';
const renderer = activate({ getState: () => undefined, setState: () => {}, getRenderer: async () => undefined, workspace: { isTrusted: true }, settings: { lineLimit: 30, outputScrolling: false, outputWordWrap: false } });
window.renderOutput = (text) => {
  const item = { id: 'output-1', mime: '${SCANLENS_RESULT_MIME}', metadata: {}, text: () => text, json: () => JSON.parse(text), data: () => new TextEncoder().encode(text), blob: () => new Blob([text]) };
  return renderer.renderOutputItem(item, document.getElementById('out'), new AbortController().signal);
};
</script></body></html>`;

before(async () => {
  const session = new NotebookSession({ baseDir: join(ROOT, 'samples', 'anomaly'), defaultModelPath: guardedDemoModel(work), threads: 1 });
  const run = await executeCell(session, 'classify lesion/meningioma-02.png normal/normal-02.png');
  assert.ok(run.ok);
  payload = JSON.stringify((run.outputs[0] as DisplayOutput).data[SCANLENS_RESULT_MIME]);
  files = { '/': { body: PAGE, type: 'text/html' }, ...(await bundle(join(ROOT, 'src', 'renderer', 'renderer.ts'), { format: 'esm' })) };
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
  await releaseFeatureSessions();
  await releaseModels();
});

/** Draws one output item as the notebook does and waits for the renderer to finish. */
async function render(page: Page, json: string): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction('typeof window.renderOutput === "function"');
  await page.evaluate(`window.renderOutput(${JSON.stringify(json)})`);
}

test('renderer: a flagged file is named in a warning above the table with score and threshold; the normal file is not', async () => {
  const result = NotebookResultSchema.parse(JSON.parse(payload));
  assert.equal(result.kind, 'classify');
  const [lesion, normal] = result.kind === 'classify' ? result.rows : [];
  assert.ok(lesion && !('error' in lesion) && lesion.flag !== undefined, 'the demo detector flags the lesion slice');
  assert.ok(normal && !('error' in normal) && normal.flag === undefined, 'and passes the normal one');

  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  await render(page, payload);
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'renderer-classify-ood.png'), fullPage: true });

  const warning = page.locator('.sl-warning');
  assert.equal(await warning.getAttribute('role'), 'alert');
  assert.equal(await warning.locator('strong').textContent(), '⚠ Out of distribution: 1 of 2 file(s)');
  assert.deepEqual(await warning.locator('li').allTextContents(), [`lesion/meningioma-02.png: ${outOfDistributionWarning(lesion.anomalyScore!, lesion.anomalyThreshold!)}`]);
  // The warning is read before the probabilities it qualifies.
  assert.ok(await page.evaluate(`document.querySelector('.sl-warning').compareDocumentPosition(document.querySelector('.sl-table')) & Node.DOCUMENT_POSITION_FOLLOWING`));

  const header = await page.locator('.sl-table th').allTextContents();
  assert.equal(header.at(-1), 'out-of-distribution check');
  const bodyRows = page.locator('.sl-table tbody tr');
  assert.deepEqual(await bodyRows.evaluateAll((rows) => rows.map((r) => r.className)), ['sl-ood', '']);
  assert.match((await bodyRows.nth(0).locator('td').last().textContent())!, /^⚠ anomaly score \d+\.\d\d ≥ threshold \d+\.\d\d$/);
  assert.match((await bodyRows.nth(1).locator('td').last().textContent())!, /^anomaly score \d+\.\d\d < threshold \d+\.\d\d$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('renderer: results of a model without a guard, or with only passing files, show no warning and no check column', async () => {
  const result = JSON.parse(payload) as { rows: Record<string, unknown>[] };
  const passing = JSON.stringify({ ...result, rows: [result.rows[1]] });
  const unguarded = JSON.stringify({ ...result, rows: result.rows.map(({ anomalyScore: _s, anomalyThreshold: _t, flag: _f, ...row }) => row) });
  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  for (const [json, checkColumn] of [[passing, true], [unguarded, false]] as const) {
    await render(page, json);
    assert.equal(await page.locator('.sl-table').count(), 1);
    assert.equal(await page.locator('.sl-warning').count(), 0);
    assert.equal(await page.locator('.sl-ood').count(), 0);
    assert.doesNotMatch((await page.locator('#out').textContent())!, /Out of distribution|should not be trusted/);
    assert.equal((await page.locator('.sl-table th').allTextContents()).includes('out-of-distribution check'), checkColumn);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('renderer: a flag without its score is refused as a whole rather than drawn without the warning', async () => {
  const result = JSON.parse(payload) as { rows: Record<string, unknown>[] };
  const halfVerdict = JSON.stringify({ ...result, rows: result.rows.map(({ anomalyScore: _s, ...row }) => row) });
  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  await render(page, halfVerdict);
  assert.match((await page.locator('.sl-error').textContent())!, /^not a ScanLens result: anomalyScore, anomalyThreshold and flag go together$/);
  assert.equal(await page.locator('.sl-table').count(), 0);
  await page.close();
});
