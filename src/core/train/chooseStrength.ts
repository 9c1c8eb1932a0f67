import { availableParallelism } from 'node:os';
import { spawnWorker } from '../native/spawnWorker';
import { fitSoftmax, logProbabilities, type LabelledFeatures } from './softmaxRegression';
import { stratifiedFolds } from './stratifiedSplit';
import type { FoldReply, FoldRequest } from './strengthWorker';

/**
 * How far each cross-validation fit goes: LogisticRegressionCV's lbfgs
 * defaults (max_iter 100, tol 1e-4 on the largest gradient component of the
 * summed loss, scipy's ftol for the relative fall of the value). On
 * separable embeddings a weak penalty's optimum is far off and slow to
 * reach, while the held-out likelihood that ranks the strengths has long
 * settled. The final fit runs to convergence.
 */
const CV_LBFGS = { maxIterations: 100, gradientTolerance: 1e-4, relativeTolerance: 2.220446049250313e-9 } as const;

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
 * One fold's held-out mean negative log-likelihood at every strength. The
 * strengths go from strongest to weakest penalty, each fit starting from the
 * last one's solution (as LogisticRegressionCV's path).
 */
export async function foldScores(data: LabelledFeatures, fold: Int32Array, k: number): Promise<number[]> {
  const rows = [...fold.keys()];
  const held = subset(
    data,
    rows.filter((i) => fold[i] === k),
  );
  const kept = subset(
    data,
    rows.filter((i) => fold[i] !== k),
  );
  let start: Float64Array | undefined;
  const scores: number[] = [];
  for (const strength of STRENGTHS) {
    const fit = await fitSoftmax(kept, strength, { ...CV_LBFGS, start });
    start = fit.solution;
    const logP = logProbabilities(fit.head, held.features);
    let sum = 0;
    held.labels.forEach((label, i) => (sum -= logP[i * data.classes + label]!));
    scores.push(sum / held.labels.length);
  }
  return scores;
}

/** Each fold's scores, the folds shared out over worker threads (none: this thread). */
async function allFoldScores(data: LabelledFeatures, fold: Int32Array, folds: number, workers: number): Promise<number[][]> {
  if (workers < 1) {
    const scores: number[][] = [];
    for (let k = 0; k < folds; k++) scores.push(await foldScores(data, fold, k));
    return scores;
  }
  const scores: number[][] = [];
  const next = { k: 0 };
  const run = async (): Promise<void> => {
    const worker = spawnWorker(__dirname, 'strengthWorker');
    try {
      for (let k = next.k++; k < folds; k = next.k++) {
        const request: FoldRequest = { features: data.features, dimensions: data.dimensions, labels: data.labels, classes: data.classes, fold, k };
        scores[k] = await new Promise<number[]>((resolve, reject) => {
          worker.once('message', (reply: FoldReply) => ('error' in reply ? reject(new Error(reply.error)) : resolve(reply.scores)));
          worker.once('error', reject);
          worker.postMessage(request);
        });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, folds) }, run));
  return scores;
}

/**
 * The strength with the lowest mean held-out negative log-likelihood over a
 * stratified k-fold split of the training rows (k = 5, or the smallest
 * class's count when that is less, at least 2), seeded. The folds run on
 * `workers` threads (default: one per core); every fold is the same
 * arithmetic wherever it runs, and the means add the folds in order, so the
 * choice and its scores do not depend on the threads.
 */
export async function chooseStrength(data: LabelledFeatures, seed: number, workers = availableParallelism()): Promise<StrengthChoice> {
  const counts = new Array<number>(data.classes).fill(0);
  for (const label of data.labels) counts[label]!++;
  const folds = Math.max(2, Math.min(5, ...counts.filter((c) => c > 0)));
  const fold = stratifiedFolds(data.labels, data.classes, folds, seed);
  const perFold = await allFoldScores(data, fold, folds, workers);
  const scores = STRENGTHS.map((strength, s) => ({ strength, nll: perFold.reduce((sum, row) => sum + row[s]! / folds, 0) }));
  const best = scores.reduce((a, b) => (b.nll < a.nll ? b : a));
  return { strength: best.strength, scores, folds };
}
