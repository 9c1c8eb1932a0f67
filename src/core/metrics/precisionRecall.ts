import { thresholdSweep } from './thresholdSweep';

/**
 * Precision–recall curve of scores against binary truth, as scikit-learn's
 * precision_recall_curve gives it (one point per distinct score, from the
 * highest; tied scores move together; the point recall 0, precision 1
 * closing it), and the average precision as its average_precision_score:
 * Σₙ (Rₙ − Rₙ₋₁) Pₙ, a step sum, not the trapezoid.
 */
export interface PrecisionRecallCurve {
  /** From recall 1 (the lowest threshold) down to recall 0. */
  readonly precision: readonly number[];
  readonly recall: readonly number[];
  /** Null when there is no positive. */
  readonly averagePrecision: number | null;
}

export function precisionRecallCurve(scores: readonly number[], positive: readonly boolean[]): PrecisionRecallCurve {
  const pos = positive.filter(Boolean).length;
  if (pos === 0) return { precision: [], recall: [], averagePrecision: null };
  const sweep = thresholdSweep(scores, positive);
  const precision = sweep.map((p) => p.tp / (p.tp + p.fp));
  const recall = sweep.map((p) => p.tp / pos);
  let averagePrecision = 0;
  for (let k = 0; k < recall.length; k++) averagePrecision += (recall[k]! - (k > 0 ? recall[k - 1]! : 0)) * precision[k]!;
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], averagePrecision };
}

/** One-against-the-rest precision–recall curve per class from each item's probabilities. */
export function oneVsRestPrecisionRecall(labels: readonly string[], truth: readonly number[], probabilities: readonly (readonly number[])[]): (PrecisionRecallCurve & { label: string })[] {
  return labels.map((label, c) => ({
    label,
    ...precisionRecallCurve(
      probabilities.map((p) => p[c]!),
      truth.map((t) => t === c),
    ),
  }));
}
