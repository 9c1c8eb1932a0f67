import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { executeCell } from '../../src/notebook/executor/executeCell';
import { NotebookSession } from '../../src/notebook/executor/notebookSession';
import type { DisplayOutput } from '../../src/notebook/outputs/notebookOutput';
import { SCANLENS_RESULT_MIME } from '../../src/protocol/notebookResult';
import { ORIGIN, bundle, servingPage, type Served } from './browser';
import { browserBed } from './browserBed';
import { ROOT } from './paths';

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

export interface RendererTestBed {
  /** A fresh folder, also the derived-model cache, so tests never write to the user's. */
  readonly work: string;
  /** The scanlens result the kernel wrote for the test file's cell, as JSON text. */
  payload(): string;
  /** A page with the renderer loaded; `errors` collects its console errors. */
  page(errors: string[]): Promise<Page>;
}

/** Draws one output item as the notebook does and waits for the renderer to finish. */
export async function render(page: Page, json: string): Promise<void> {
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction('typeof window.renderOutput === "function"');
  await page.evaluate(`window.renderOutput(${JSON.stringify(json)})`);
}

/**
 * Registers a renderer test file's set-up (see browserBed): `prepare`, given
 * the work folder, returns the notebook session's base folder, model and the
 * cell to run, whose result payload and the renderer bundle are made ready.
 */
export function rendererTestBed(name: string, prepare: (work: string) => Promise<{ baseDir: string; model: string; cell: string }>): RendererTestBed {
  let files: Record<string, Served> = {};
  let payload = '';
  const bed = browserBed(name, async (work) => {
    const { baseDir, model, cell } = await prepare(work);
    const run = await executeCell(new NotebookSession({ baseDir, defaultModelPath: model, threads: 1 }), cell);
    assert.ok(run.ok);
    payload = JSON.stringify((run.outputs[0] as DisplayOutput).data[SCANLENS_RESULT_MIME]);
    files = { '/': { body: PAGE, type: 'text/html' }, ...(await bundle(join(ROOT, 'src', 'renderer', 'renderer.ts'), { format: 'esm' })) };
  });
  return { work: bed.work, payload: () => payload, page: (errors) => servingPage(bed.browser(), files, errors) };
}
