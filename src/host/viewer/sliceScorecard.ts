import type { RunControl } from '../../core/explain/perturbations';
import { scoreExplanation } from '../../core/explain/scorecard/scorecard';
import type { LoadedModel } from '../../core/model/loadModel';
import { prepareInput } from '../../core/preprocess/prepareInput';
import { scorecardCell, scorecardTable } from '../../core/report/scorecardTable';
import type { Scan } from '../../core/scan/scan';
import type { ExplainChoice, ScoreResult } from '../../protocol/viewerMessages';
import type { SliceExplanations } from './sliceExplanation';

/**
 * The scorecard of one slice's explanation (of a scan already cut along the
 * wanted axis): the explanation the overlay shows (kept in `explanations`, or
 * computed now), scored by the engine of `scanlens explain --score`, with the
 * table every surface shows.
 */
export async function scoreSlice(explanations: SliceExplanations, model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control: RunControl = {}): Promise<ScoreResult> {
  const explanation = await explanations.of(model, scan, index, choice, { signal: control.signal });
  const prepared = await prepareInput(scan, model.manifest, index);
  const scorecard = await scoreExplanation(model, prepared.data, explanation, { method: choice.method, classIndex: choice.classIndex }, control);
  const table = scorecardTable(scorecard);
  return {
    method: explanation.method,
    classIndex: explanation.classIndex,
    label: model.manifest.labels[explanation.classIndex]!,
    scorecard,
    table: { columns: table.columns, rows: table.rows.map((row) => row.map(scorecardCell)) },
  };
}
