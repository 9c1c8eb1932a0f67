import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Scorecard } from '../../src/core/explain/scorecard/scorecard';
import type { LoadedModel } from '../../src/core/model/loadModel';
import { getModel } from '../../src/core/model/modelCache';
import { scorecardCell, scorecardTable } from '../../src/core/report/scorecardTable';
import { ROOT } from '../helpers/paths';
import { runCli } from '../helpers/runCli';
import { providerAnswer, viewerTestBed } from '../helpers/viewerPage';

const bed = viewerTestBed('viewer-scorecard');
const SAMPLE = join(ROOT, 'samples', 'glioma-01.png');

test("viewer: Score explanation shows the scorecard of the overlay's explanation, the numbers scanlens explain --score prints, and Export Report writes it; another method clears it", async () => {
  process.env['SCANLENS_CACHE_DIR'] = bed.work;
  const cli = runCli(['explain', SAMPLE, '--threads', '1', '--method', 'gradcam', '--score', '--json']);
  assert.equal(cli.status, 0, cli.stderr);
  const fromCli = (JSON.parse(cli.stdout) as { scorecard: Scorecard }).scorecard;
  const expected = scorecardTable(fromCli);

  const model: LoadedModel = await getModel(join(ROOT, 'models', 'brain-mri-demo', 'model.json'), { threads: 1 });
  const reports = join(bed.work, 'reports');
  mkdirSync(reports);
  const viewer = await bed.open(SAMPLE, (document, request) => providerAnswer(document, model, request, { reports }));
  try {
    await viewer.until((s) => s.probabilities.length > 0 && s.pending === 0);
    await viewer.request({ type: 'overlay', shown: true, method: 'gradcam' });
    const scored = await viewer.request({ type: 'score' });
    assert.equal(scored.error, undefined);
    assert.deepEqual(scored.scorecard, { columns: expected.columns, rows: expected.rows.map((row) => row.map(scorecardCell)) });
    const table = viewer.page.locator('table.scorecard');
    assert.equal(await table.locator('tbody tr').count(), expected.rows.length);
    assert.equal(await table.locator('tbody tr').nth(4).locator('td').nth(1).textContent(), fromCli.deletion.auc.toFixed(4));
    const written = await viewer.request({ type: 'export' });
    assert.deepEqual((JSON.parse(readFileSync(written.json, 'utf8')) as { scorecard: Scorecard }).scorecard, fromCli);

    const other = await viewer.request({ type: 'overlay', shown: true, method: 'hirescam' });
    assert.equal(other.scorecard, undefined, 'the numbers belonged to Grad-CAM');
    assert.equal(await table.locator('tbody tr').count(), 0);
    const unscored = await viewer.request({ type: 'export' });
    assert.equal((JSON.parse(readFileSync(unscored.json, 'utf8')) as { scorecard?: unknown }).scorecard, undefined, 'hirescam was never scored');
    assert.deepEqual(viewer.errors, []);
  } finally {
    await viewer.close();
  }
});
