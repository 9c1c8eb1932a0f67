import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { NotebookResultSchema, type NotebookResult } from '../../src/protocol/notebookResult';
import { ROOT } from '../helpers/paths';
import { render, rendererTestBed } from '../helpers/rendererPage';

const bed = rendererTestBed('renderer-anomaly', async () => ({
  baseDir: ROOT,
  model: join(ROOT, 'models', 'brain-mri-demo', 'model.json'),
  cell: 'anomaly eval samples/anomaly/normal samples/anomaly/lesion detector=models/brain-mri-demo-padim',
}));
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

type Eval = Extract<NotebookResult, { kind: 'anomaly'; subcommand: 'eval' }>;

function evaluation(): Eval {
  const result = NotebookResultSchema.parse(JSON.parse(bed.payload()));
  assert.ok(result.kind === 'anomaly' && result.subcommand === 'eval');
  return result;
}

test('renderer: anomaly eval shows the metrics, the histogram of both sets with the threshold, the ROC curve and every score with its verdict', async () => {
  const result = evaluation();
  const errors: string[] = [];
  const page = await bed.page(errors);
  await render(page, bed.payload());
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'renderer-anomaly-eval.png'), fullPage: true });
  assert.equal(await page.locator('.sl-root').getAttribute('data-kind'), 'anomaly');
  assert.match((await page.locator('.sl-title').textContent())!, /^anomaly eval: AUROC \d\.\d{4} on 20 normal and 20 anomalous scans$/);
  const metrics = page.locator('.sl-table').first();
  assert.deepEqual(await metrics.locator('td:first-child').allTextContents(), ['AUROC', 'AUPR', `F1 at threshold ${result.threshold.toFixed(4)}`, 'best F1']);
  assert.equal(await page.locator('.js-plotly-plot').count(), 2);
  // The histogram's bars are the payload's counts, the threshold a line over them.
  const bars = await page.evaluate(`[...document.querySelectorAll('.js-plotly-plot')][0].data.map((t) => [t.name, t.y])`);
  assert.deepEqual(bars, [
    ['normal', result.metrics.histogram.normal],
    ['anomalous', result.metrics.histogram.anomalous],
  ]);
  assert.equal(await page.evaluate(`[...document.querySelectorAll('.js-plotly-plot')][0].layout.shapes[0].x0`), result.threshold);
  assert.deepEqual(await page.evaluate(`[...document.querySelectorAll('.js-plotly-plot')][1].data[1].x`), result.roc.fpr);
  const rows = page.locator('.sl-table').nth(1).locator('tbody tr');
  assert.equal(await rows.count(), 40);
  const flagged = [...result.normal, ...result.anomalous].map((r) => ('label' in r && r.label === 'anomalous' ? 'sl-ood' : ''));
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((r) => r.className)), flagged);
  assert.deepEqual(errors, []);
  await page.close();
});

test('renderer: anomaly score marks anomalous rows, keeps an error row with its message, and draws the scores by verdict', async () => {
  const { detector, normal, anomalous } = evaluation();
  const volumeRow = { ...anomalous[0]!, file: 'brain.nii.gz', slice: { axis: 'coronal', index: 70, count: 128 } };
  const score = { kind: 'anomaly', subcommand: 'score', detector, rows: [{ file: 'broken.png', error: 'broken.png: cannot decode PNG' }, ...normal.slice(0, 3), ...anomalous.slice(0, 3), volumeRow] };
  const errors: string[] = [];
  const page = await bed.page(errors);
  await render(page, JSON.stringify(score));
  assert.match((await page.locator('.sl-title').textContent())!, /^anomaly score: \d of 7 scan\(s\) anomalous, 1 failed$/);
  assert.match((await page.locator('.sl-note').textContent())!, /^against models\/brain-mri-demo-padim \(padim, threshold \d+\.\d{4}\)$/);
  const rows = page.locator('.sl-table tbody tr');
  assert.equal(await rows.nth(0).getAttribute('class'), 'sl-error');
  assert.equal(await rows.nth(0).locator('td').last().textContent(), 'error: broken.png: cannot decode PNG');
  assert.ok((await page.locator('.sl-ood').count()) >= 3, 'the lesion slices are flagged');
  // A volume's row names the slice it scored.
  assert.equal(await rows.nth(7).locator('td').first().textContent(), 'brain.nii.gz · coronal slice 70 of 128');
  assert.equal(await page.locator('.js-plotly-plot').count(), 1);
  // A payload that breaks the schema is reported, never half-drawn.
  await render(page, JSON.stringify({ ...score, rows: [{ file: 'a.png', score: 1 }] }));
  assert.equal(await page.locator('.sl-error').count(), 1);
  assert.equal(await page.locator('.sl-table').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});
