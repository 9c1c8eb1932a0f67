import type { OodGuard } from '../../core/anomaly/oodGuard';
import type { AnomalyResult } from '../../core/anomaly/scorer';
import type { ModelView } from '../../core/preprocess/mapToSlice';
import type { Scan } from '../../core/scan/scan';

/** Score, threshold and map, with the input the map covers: how it lies over the slice. */
export type SliceAnomaly = Pick<AnomalyResult, 'score' | 'threshold' | 'map'> & { readonly input: ModelView };

/** Slices kept per guard and axis: the one on screen and those just left, not a whole volume's maps. */
const KEPT = 16;
const scored = new WeakMap<OodGuard, WeakMap<Scan, Map<number, Promise<SliceAnomaly>>>>();

/**
 * The guard's score and map of one slice, computed once per guard (so per
 * loaded model), per scan cut along an axis, per slice: the verdict above
 * the probabilities, the anomaly-map overlay in any colormap and the
 * exported report share it. A failed scoring is not kept, so the next
 * request tries again and reports its own reason.
 */
export function sliceAnomaly(guard: OodGuard, scan: Scan, index: number): Promise<SliceAnomaly> {
  let byScan = scored.get(guard);
  if (!byScan) scored.set(guard, (byScan = new WeakMap()));
  let slices = byScan.get(scan);
  if (!slices) byScan.set(scan, (slices = new Map()));
  const kept = slices;
  let result = kept.get(index);
  if (result) kept.delete(index);
  else {
    // Only what is drawn and reported: the model's view of the slice is not kept.
    const started = guard.scorer.scoreSlice(scan, index).then(({ score, threshold, map }) => ({ score, threshold, map, input: guard.scorer.input }));
    started.catch(() => kept.get(index) === started && kept.delete(index));
    result = started;
  }
  // Re-inserted as the most recent; the oldest goes beyond KEPT.
  kept.set(index, result);
  if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  return result;
}
