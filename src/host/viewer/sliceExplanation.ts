import { explainInput, type Explanation } from '../../core/explain/explain';
import type { LoadedModel } from '../../core/model/loadModel';
import type { RunControl } from '../../core/explain/perturbations';
import { prepareInput } from '../../core/preprocess/prepareInput';
import type { Scan } from '../../core/scan/scan';
import { smoothingFlags } from '../../core/vocabulary/camMethods';
import type { ExplainChoice } from '../../protocol/viewerMessages';

/** Explains slice `index` of a scan already cut along the wanted axis: the model's own input of it, through the engine of `scanlens explain`; `control` carries a gradient-free method's progress and cancel. */
export async function explainSlice(model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control: RunControl = {}): Promise<Explanation> {
  const prepared = await prepareInput(scan, model.manifest, index);
  return explainInput(model, prepared.data, { method: choice.method, classIndex: choice.classIndex, ...smoothingFlags(choice.smooth), ...control });
}

/** How an explanation is computed when it is not kept: explainSlice, or a stand-in that counts the runs. */
export type ExplainRun = (model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control?: RunControl) => Promise<Explanation>;

/** Explanations kept per model and scan: the one on screen and those just left, not a whole volume's. */
const KEPT = 16;

/**
 * The explanations the viewer has computed, kept per loaded model, per scan
 * cut along an axis (so per viewer document and axis), per slice, method and
 * class (the top class apart from a class chosen by index): the overlay on
 * screen, the same overlay shown again and Export Report share one run. The
 * colormap and opacity are not part of the key; they are applied afterwards.
 * A failed run is not kept, so the next request tries again and reports its
 * own reason.
 */
export class SliceExplanations {
  private readonly kept = new WeakMap<LoadedModel, WeakMap<Scan, Map<string, Promise<Explanation>>>>();

  constructor(private readonly run: ExplainRun = explainSlice) {}

  /** `control` (progress, cancel) applies when this call starts the run; a request that joins a run in progress shares its outcome, a cancelled one included. */
  of(model: LoadedModel, scan: Scan, index: number, choice: ExplainChoice, control?: RunControl): Promise<Explanation> {
    let byScan = this.kept.get(model);
    if (!byScan) this.kept.set(model, (byScan = new WeakMap()));
    let explained = byScan.get(scan);
    if (!explained) byScan.set(scan, (explained = new Map()));
    const kept = explained;
    const key = explanationKey(index, choice);
    let result = kept.get(key);
    if (result) kept.delete(key);
    else {
      const { method, classIndex, smooth } = choice;
      const started = this.run(model, scan, index, { method, ...(classIndex === undefined ? {} : { classIndex }), ...(smooth === undefined ? {} : { smooth }) }, control);
      started.catch(() => kept.get(key) === started && kept.delete(key));
      result = started;
    }
    // Re-inserted as the most recent; the oldest goes beyond KEPT.
    kept.set(key, result);
    if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
    return result;
  }
}

/** What tells one kept explanation (or scorecard) of a slice from another: the method, the class (the top one apart from one chosen by index) and the smoothing. */
export function explanationKey(index: number, choice: ExplainChoice): string {
  return `${index} ${choice.method} ${choice.classIndex ?? 'top'} ${choice.smooth ?? 'none'}`;
}
