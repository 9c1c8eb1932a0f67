import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { OpenResultsRequestSchema } from '../../src/protocol/rendererMessages';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { bundle, ORIGIN, servingPage, type Served } from '../helpers/browser';
import { browserBed } from '../helpers/browserBed';
import { ROOT } from '../helpers/paths';

/**
 * The renderer with messaging, as in VS Code with ScanLens' host listening:
 * its context has postMessage, and what it posts is kept for the test.
 */
const PAGE = `<!DOCTYPE html><html><body><div id="out"></div>
<script type="module">
import { activate } from '/renderer.js';
window.posted = [];
const renderer = activate({ getState: () => undefined, setState: () => {}, getRenderer: async () => undefined, postMessage: (m) => window.posted.push(m), onDidReceiveMessage: () => ({ dispose() {} }), workspace: { isTrusted: true }, settings: { lineLimit: 30, outputScrolling: false, outputWordWrap: false } });
window.renderOutput = (text) => {
  const item = { id: 'output-1', mime: '${SCANLENS_RESULT_MIME}', metadata: {}, text: () => text, json: () => JSON.parse(text), data: () => new TextEncoder().encode(text), blob: () => new Blob([text]) };
  return renderer.renderOutputItem(item, document.getElementById('out'), new AbortController().signal);
};
</script></body></html>`;

let files: Record<string, Served> = {};
const bed = browserBed('renderer-open-results', async () => {
  files = { '/': { body: PAGE, type: 'text/html' }, ...(await bundle(join(ROOT, 'src', 'renderer', 'renderer.ts'), { format: 'esm' })) };
});

const classify = {
  kind: 'classify',
  labels: ['glioma', 'notumor'],
  rows: [
    { file: 'scans/a.png', probabilities: [0.8, 0.2], top: { label: 'glioma', probability: 0.8 } },
    { file: 'scans/broken.png', error: 'scans/broken.png: not a PNG' },
  ],
};

test("renderer: a classify output's Open in Results View posts the output to the host, as the host's schema reads it", async () => {
  const errors: string[] = [];
  const page = await servingPage(bed.browser(), files, errors);
  try {
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction('typeof window.renderOutput === "function"');
    await page.evaluate(`window.renderOutput(${JSON.stringify(JSON.stringify(classify))})`);
    await page.locator('.sl-open-results').click();
    const posted = (await page.evaluate('window.posted')) as unknown[];
    assert.equal(posted.length, 1);
    assert.deepEqual(OpenResultsRequestSchema.parse(posted[0]), { type: 'openResults', result: classify });

    // Other outputs have no such button.
    await page.evaluate(`window.renderOutput(${JSON.stringify(JSON.stringify({ kind: 'export', file: 'x.csv', format: 'csv', rows: 1 }))})`);
    assert.equal(await page.locator('.sl-root').getAttribute('data-kind'), 'export');
    assert.equal(await page.locator('.sl-open-results').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
