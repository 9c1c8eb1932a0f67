import { thresholdSweep } from './thresholdSweep';

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
  const sweep = thresholdSweep(scores, positive);
  const fpr = [0, ...sweep.map((p) => p.fp / neg)];
  const tpr = [0, ...sweep.map((p) => p.tp / pos)];
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
