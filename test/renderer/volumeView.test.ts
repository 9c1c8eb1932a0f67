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
import { LESION_SLICE, writeGuardedVolume } from '../helpers/guardedVolume';
import { ROOT } from '../helpers/paths';

// Derived models go to a fresh folder, never the user's cache.
const work = mkdtempSync(join(tmpdir(), 'scanlens-renderer-volume-guard-'));
process.env['SCANLENS_CACHE_DIR'] = work;
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

let browser: Browser;
let files: Record<string, Served>;
/** The volume payload the kernel writes for the guarded test volume (a lesion slice among normal ones). */
let payload: string;

/** The renderer as VS Code loads it (see classifyView.test.ts). */
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
  await writeGuardedVolume(join(work, 'volume.nii'));
  const session = new NotebookSession({ baseDir: work, defaultModelPath: guardedDemoModel(work), threads: 1 });
  const run = await executeCell(session, 'volume volume.nii');
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

async function render(page: Page, json: string): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction('typeof window.renderOutput === "function"');
  await page.evaluate(`window.renderOutput(${JSON.stringify(json)})`);
}

test('renderer: a volume whose peak slice is flagged names it in a warning above the peaks, and marks its rows', async () => {
  const result = NotebookResultSchema.parse(JSON.parse(payload));
  assert.equal(result.kind, 'volume');
  const peaks = result.kind === 'volume' ? result.peaks : [];
  const lesion = peaks.filter((p) => p.slice === LESION_SLICE);
  assert.ok(lesion.length > 0 && lesion.every((p) => p.flag !== undefined), 'the demo detector flags the lesion slice');

  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  await render(page, payload);
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'renderer-volume-ood.png'), fullPage: true });

  const warning = page.locator('.sl-warning');
  assert.equal(await warning.getAttribute('role'), 'alert');
  assert.equal(await warning.locator('strong').textContent(), '⚠ Out of distribution: 1 of 3 peak slice(s)');
  const labels = lesion.map((p) => p.label).join(', ');
  assert.deepEqual(await warning.locator('li').allTextContents(), [`slice ${LESION_SLICE} (peak of ${labels}): ${outOfDistributionWarning(lesion[0]!.anomalyScore!, lesion[0]!.anomalyThreshold!)}`]);
  assert.ok(await page.evaluate(`document.querySelector('.sl-warning').compareDocumentPosition(document.querySelector('.sl-table')) & Node.DOCUMENT_POSITION_FOLLOWING`));

  assert.equal((await page.locator('.sl-table th').allTextContents()).at(-1), 'out-of-distribution check');
  const rows = page.locator('.sl-table tbody tr');
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((r) => r.className)), peaks.map((p) => (p.flag ? 'sl-ood' : '')));
  for (const [i, p] of peaks.entries()) {
    assert.match((await rows.nth(i).locator('td').last().textContent())!, p.flag ? /^⚠ anomaly score \d+\.\d\d ≥ threshold \d+\.\d\d$/ : /^anomaly score \d+\.\d\d < threshold \d+\.\d\d$/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('renderer: a volume from a model without a guard shows no warning and no check column; a peak with half a verdict is refused', async () => {
  const result = JSON.parse(payload) as { peaks: Record<string, unknown>[] };
  const unguarded = JSON.stringify({ ...result, peaks: result.peaks.map(({ anomalyScore: _s, anomalyThreshold: _t, flag: _f, ...peak }) => peak) });
  const halfVerdict = JSON.stringify({ ...result, peaks: result.peaks.map(({ anomalyScore: _s, ...peak }) => peak) });
  const errors: string[] = [];
  const page = await servingPage(browser, files, errors);
  await render(page, unguarded);
  assert.equal(await page.locator('.sl-table').count(), 1);
  assert.equal(await page.locator('.sl-warning').count(), 0);
  assert.equal(await page.locator('.sl-ood').count(), 0);
  assert.deepEqual(await page.locator('.sl-table th').allTextContents(), ['class', 'peak slice', 'probability']);
  await render(page, halfVerdict);
  assert.match((await page.locator('.sl-error').textContent())!, /^not a ScanLens result: anomalyScore, anomalyThreshold and flag go together$/);
  assert.equal(await page.locator('.sl-table').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
