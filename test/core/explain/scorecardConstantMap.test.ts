import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { explainInput } from '../../../src/core/explain/explain';
import { releaseExplainSessions } from '../../../src/core/explain/explainSessions';
import { scoreExplanation } from '../../../src/core/explain/scorecard/scorecard';
import { loadModel } from '../../../src/core/model/loadModel';
import { prepareInput } from '../../../src/core/preprocess/prepareInput';
import { scorecardCell, scorecardTable } from '../../../src/core/report/scorecardTable';
import { loadScan } from '../../../src/core/scan/loadScan';
import { ROOT } from '../../helpers/paths';

after(releaseExplainSessions);
const cacheDir = mkdtempSync(join(tmpdir(), 'scanlens-scorecard-constant-'));

test('a constant map (Grad-CAM all zero after its ReLU) is scored with a note that its ranking is pixel order, and its correlations show as —', async () => {
  const model = await loadModel(join(ROOT, 'models', 'brain-mri-demo'), { threads: 1 });
  const { data } = await prepareInput(await loadScan(join(ROOT, 'samples', 'glioma-01.png')), model.manifest);
  const options = { method: 'gradcam' as const, cacheDir };
  const explanation = await explainInput(model, data, options);
  const flat = { ...explanation, map: { ...explanation.map, data: new Float32Array(explanation.map.data.length) } };
  const card = await scoreExplanation(model, data, flat, options);
  assert.deepEqual(card.notes, ['the map is constant: pixels are ranked in pixel order, not by relevance']);
  assert.equal(card.confidence.explanationMap < card.confidence.original, true, 'the input times an all-zero map is the dataset mean');
  assert.ok('steps' in card.randomisation);
  assert.equal(card.randomisation.steps[0]!.spearman, null);
  const rows = scorecardTable(card).rows.map((row) => row.map(scorecardCell));
  assert.deepEqual(
    rows.find((row) => row[0]!.endsWith(': Spearman')),
    [`randomised ${card.randomisation.steps[0]!.layer}: Spearman`, '—', 'near 0'],
  );
  assert.deepEqual(rows.at(-1), ['note', 'the map is constant: pixels are ranked in pixel order, not by relevance', '']);
  const real = await scoreExplanation(model, data, explanation, options);
  assert.deepEqual(real.notes, []);
  await model.session.release();
});
