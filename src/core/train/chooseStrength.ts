import { fitSoftmax, logProbabilities, type LabelledFeatures } from './softmaxRegression';
import { stratifiedFolds } from './stratifiedSplit';

/** The L2 strengths tried (scikit-learn's C: larger is weaker), log-spaced as LogisticRegressionCV's grid. */
export const STRENGTHS = [1e-3, 1e-2, 1e-1, 1, 10, 100] as const;

export interface StrengthChoice {
  readonly strength: number;
  /** Each strength's mean held-out negative log-likelihood over the folds. */
  readonly scores: readonly { readonly strength: number; readonly nll: number }[];
  readonly folds: number;
}

/** The rows of `data` at `rows`. */
export function subset(data: LabelledFeatures, rows: readonly number[]): LabelledFeatures {
  const { dimensions } = data;
  const features = new Float32Array(rows.length * dimensions);
  rows.forEach((row, i) => features.set(data.features.subarray(row * dimensions, (row + 1) * dimensions), i * dimensions));
  return { ...data, features, labels: Int32Array.from(rows, (row) => data.labels[row]!) };
}

/**
 * The strength with the lowest mean held-out negative log-likelihood over a
 * stratified k-fold split of the training rows (k = 5, or the smallest
 * class's count when that is less, at least 2), seeded. Within a fold the
 * strengths go from strongest to weakest penalty, each fit starting from the
 * last one's optimum (as LogisticRegressionCV's path): the optimum is unique,
 * so only the iterations to reach it change.
 */
export function chooseStrength(data: LabelledFeatures, seed: number): StrengthChoice {
  const counts = new Array<number>(data.classes).fill(0);
  for (const label of data.labels) counts[label]!++;
  const folds = Math.max(2, Math.min(5, ...counts.filter((c) => c > 0)));
  const fold = stratifiedFolds(data.labels, data.classes, folds, seed);
  const rows = [...fold.keys()];
  const nll = new Array<number>(STRENGTHS.length).fill(0);
  for (let k = 0; k < folds; k++) {
    const held = subset(
      data,
      rows.filter((i) => fold[i] === k),
    );
    const kept = subset(
      data,
      rows.filter((i) => fold[i] !== k),
    );
    let start: Float64Array | undefined;
    STRENGTHS.forEach((strength, s) => {
      const fit = fitSoftmax(kept, strength, { start });
      start = fit.solution;
      const logP = logProbabilities(fit.head, held.features);
      let sum = 0;
      held.labels.forEach((label, i) => (sum -= logP[i * data.classes + label]!));
      nll[s]! += sum / held.labels.length / folds;
    });
  }
  const scores = STRENGTHS.map((strength, s) => ({ strength, nll: nll[s]! }));
  const best = scores.reduce((a, b) => (b.nll < a.nll ? b : a));
  return { strength: best.strength, scores, folds };
}
