import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { NotebookResultSchema } from '../../src/protocol/notebookResult';
import { outOfDistributionWarning } from '../../src/core/vocabulary/outOfDistribution';
import { guardedDemoModel } from '../helpers/guardedModel';
import { ROOT } from '../helpers/paths';
import { render, rendererTestBed } from '../helpers/rendererPage';

const bed = rendererTestBed('renderer-guard', async (work) => ({
  baseDir: join(ROOT, 'samples', 'anomaly'),
  model: guardedDemoModel(work),
  cell: 'classify lesion/meningioma-02.png normal/normal-02.png',
}));
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

test('renderer: a flagged file is named in a warning above the table with score and threshold; the normal file is not', async () => {
  const result = NotebookResultSchema.parse(JSON.parse(bed.payload()));
  assert.equal(result.kind, 'classify');
  const [lesion, normal] = result.kind === 'classify' ? result.rows : [];
  assert.ok(lesion && 'probabilities' in lesion && lesion.flag !== undefined, 'the demo detector flags the lesion slice');
  assert.ok(normal && 'probabilities' in normal && normal.flag === undefined, 'and passes the normal one');

  const errors: string[] = [];
  const page = await bed.page(errors);
  await render(page, bed.payload());
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
  const result = JSON.parse(bed.payload()) as { rows: Record<string, unknown>[] };
  const passing = JSON.stringify({ ...result, rows: [result.rows[1]] });
  const unguarded = JSON.stringify({ ...result, rows: result.rows.map(({ anomalyScore: _s, anomalyThreshold: _t, flag: _f, ...row }) => row) });
  const errors: string[] = [];
  const page = await bed.page(errors);
  for (const [json, checkColumn] of [
    [passing, true],
    [unguarded, false],
  ] as const) {
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
  const result = JSON.parse(bed.payload()) as { rows: Record<string, unknown>[] };
  const halfVerdict = JSON.stringify({ ...result, rows: result.rows.map(({ anomalyScore: _s, ...row }) => row) });
  const errors: string[] = [];
  const page = await bed.page(errors);
  await render(page, halfVerdict);
  assert.match((await page.locator('.sl-error').textContent())!, /^not a ScanLens result: anomalyScore, anomalyThreshold and flag go together$/);
  assert.equal(await page.locator('.sl-table').count(), 0);
  await page.close();
});
