import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { NotebookResultSchema } from '../../src/protocol/notebookResult';
import { outOfDistributionWarning } from '../../src/core/vocabulary/outOfDistribution';
import { guardedDemoModel } from '../helpers/guardedModel';
import { LESION_SLICE, writeGuardedVolume } from '../helpers/guardedVolume';
import { render, rendererTestBed } from '../helpers/rendererPage';

const bed = rendererTestBed('renderer-volume-guard', async (work) => {
  await writeGuardedVolume(join(work, 'volume.nii'));
  return { baseDir: work, model: guardedDemoModel(work), cell: 'volume volume.nii' };
});
/** Set SCANLENS_SCREENSHOTS to a folder to keep a picture of what the test saw. */
const SCREENSHOTS = process.env['SCANLENS_SCREENSHOTS'];

test('renderer: a volume whose peak slice is flagged names it in a warning above the peaks, and marks its rows', async () => {
  const result = NotebookResultSchema.parse(JSON.parse(bed.payload()));
  assert.equal(result.kind, 'volume');
  const peaks = result.kind === 'volume' ? result.peaks : [];
  const lesion = peaks.filter((p) => p.slice === LESION_SLICE);
  assert.ok(lesion.length > 0 && lesion.every((p) => p.flag !== undefined), 'the demo detector flags the lesion slice');

  const errors: string[] = [];
  const page = await bed.page(errors);
  await render(page, bed.payload());
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'renderer-volume-ood.png'), fullPage: true });

  const warning = page.locator('.sl-warning');
  assert.equal(await warning.getAttribute('role'), 'alert');
  assert.equal(await warning.locator('strong').textContent(), '⚠ Out of distribution: 1 of 3 peak slice(s)');
  const labels = lesion.map((p) => p.label).join(', ');
  assert.deepEqual(await warning.locator('li').allTextContents(), [`slice ${LESION_SLICE} (peak of ${labels}): ${outOfDistributionWarning(lesion[0]!.anomalyScore!, lesion[0]!.anomalyThreshold!)}`]);
  assert.ok(await page.evaluate(`document.querySelector('.sl-warning').compareDocumentPosition(document.querySelector('.sl-table')) & Node.DOCUMENT_POSITION_FOLLOWING`));

  assert.equal((await page.locator('.sl-table th').allTextContents()).at(-1), 'out-of-distribution check');
  const rows = page.locator('.sl-table tbody tr');
  assert.deepEqual(
    await rows.evaluateAll((trs) => trs.map((r) => r.className)),
    peaks.map((p) => (p.flag ? 'sl-ood' : '')),
  );
  for (const [i, p] of peaks.entries()) {
    assert.match((await rows.nth(i).locator('td').last().textContent())!, p.flag ? /^⚠ anomaly score \d+\.\d\d ≥ threshold \d+\.\d\d$/ : /^anomaly score \d+\.\d\d < threshold \d+\.\d\d$/);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('renderer: a volume from a model without a guard shows no warning and no check column; a peak with half a verdict is refused', async () => {
  const result = JSON.parse(bed.payload()) as { peaks: Record<string, unknown>[] };
  const unguarded = JSON.stringify({ ...result, peaks: result.peaks.map(({ anomalyScore: _s, anomalyThreshold: _t, flag: _f, ...peak }) => peak) });
  const halfVerdict = JSON.stringify({ ...result, peaks: result.peaks.map(({ anomalyScore: _s, ...peak }) => peak) });
  const errors: string[] = [];
  const page = await bed.page(errors);
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
