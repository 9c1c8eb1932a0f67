/** True and false positives with the threshold at one distinct score: everything scoring at or above it is called positive. */
export interface SweepPoint {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
}

/**
 * One point per distinct score, highest first (tied scores move together),
 * the sweep under ROC and precision–recall curves as scikit-learn draws them.
 */
export function thresholdSweep(scores: readonly number[], positive: readonly boolean[]): SweepPoint[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const points: SweepPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (positive[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) points.push({ threshold: scores[i]!, tp, fp });
  }
  return points;
}
