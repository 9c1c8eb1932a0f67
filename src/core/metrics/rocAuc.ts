export interface RocCurve {
  /** False-positive rates, from 0 to 1. */
  readonly fpr: readonly number[];
  /** True-positive rates, matching fpr. */
  readonly tpr: readonly number[];
  /** Area under the curve; null when only one kind (positive or negative) is present. */
  readonly auc: number | null;
}

/**
 * ROC curve of scores against binary truth. Tied scores move together (one
 * diagonal step), so the area equals the Mann–Whitney probability that a
 * positive outscores a negative, ties counting half — as scikit-learn computes it.
 */
export function rocCurve(scores: readonly number[], positive: readonly boolean[]): RocCurve {
  const pos = positive.filter(Boolean).length;
  const neg = positive.length - pos;
  if (pos === 0 || neg === 0) return { fpr: [], tpr: [], auc: null };
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (positive[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      fpr.push(fp / neg);
      tpr.push(tp / pos);
    }
  }
  let auc = 0;
  for (let k = 1; k < fpr.length; k++) auc += ((fpr[k]! - fpr[k - 1]!) * (tpr[k]! + tpr[k - 1]!)) / 2;
  return { fpr, tpr, auc };
}

/** One-vs-rest ROC per class from each item's probabilities. */
export function oneVsRestRoc(labels: readonly string[], truth: readonly number[], probabilities: readonly (readonly number[])[]): (RocCurve & { label: string })[] {
  return labels.map((label, c) => ({
    label,
    ...rocCurve(
      probabilities.map((p) => p[c]!),
      truth.map((t) => t === c),
    ),
  }));
}
