import type { RunControl } from '../../core/explain/perturbations';
import { smoothingFlags } from '../../core/vocabulary/camMethods';
import { scoreExplanation } from '../../core/explain/scorecard/scorecard';
import type { LoadedModel } from '../../core/model/loadModel';
import { prepareInput } from '../../core/preprocess/prepareInput';
import { scorecardCell, scorecardTable } from '../../core/report/scorecardTable';
import type { Scan } from '../../core/scan/scan';
import type { ExplainChoice, ScoreResult } from '../../protocol/viewerMessages';
import { explanationKey, type SliceExplanations } from './sliceExplanation';

/**
 * The scorecard of one slice's explanation (of a scan already cut along the
 * wanted axis): the explanation the overlay shows (kept in `explanations`, or
 * computed now), scored by the engine of `scanlens explain --score`, with the
 * table every surface shows.
 */
export async function scoreSlice(explanations: SliceExplanations, model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control: RunControl = {}): Promise<ScoreResult> {
  const explanation = await explanations.of(model, scan, index, choice, { signal: control.signal });
  const prepared = await prepareInput(scan, model.manifest, index);
  const scorecard = await scoreExplanation(model, prepared.data, explanation, { method: choice.method, classIndex: choice.classIndex, ...smoothingFlags(choice.smooth) }, control);
  const table = scorecardTable(scorecard);
  return {
    method: explanation.method,
    classIndex: explanation.classIndex,
    label: model.manifest.labels[explanation.classIndex]!,
    scorecard,
    table: { columns: table.columns, rows: table.rows.map((row) => row.map(scorecardCell)) },
  };
}

/** Scorecards kept per model and scan: those of the slices just scored, not a whole volume's. */
const KEPT = 16;

/**
 * The scorecards the viewer has computed, per model, scan cut along an axis,
 * slice, method and class, so Export Report writes the one on screen without
 * scoring again (and never scores one that was not asked for). A failed or
 * cancelled run keeps nothing.
 */
export class SliceScorecards {
  private readonly kept = new WeakMap<LoadedModel, WeakMap<Scan, Map<string, ScoreResult>>>();

  async score(explanations: SliceExplanations, model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control?: RunControl): Promise<ScoreResult> {
    const result = await scoreSlice(explanations, model, scan, index, choice, control);
    let byScan = this.kept.get(model);
    if (!byScan) this.kept.set(model, (byScan = new WeakMap()));
    let kept = byScan.get(scan);
    if (!kept) byScan.set(scan, (kept = new Map()));
    const key = explanationKey(index, choice);
    kept.delete(key);
    kept.set(key, result);
    if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    return result;
  }

  /** The scorecard already computed for this slice, method and class, if any. */
  shown(model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice): ScoreResult | undefined {
    return this.kept.get(model)?.get(scan)?.get(explanationKey(index, choice));
  }
}
