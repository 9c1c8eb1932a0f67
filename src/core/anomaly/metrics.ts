/**
 * Detection metrics on a labelled set, with scikit-learn's definitions:
 * higher score = more anomalous, anomalous is the positive class, and a score
 * at or above the threshold is called anomalous.
 */

import { precisionRecallCurve } from '../metrics/precisionRecall';
import { thresholdSweep, type SweepPoint } from '../metrics/thresholdSweep';

export interface Labelled {
  readonly scores: readonly number[];
  /** true = anomalous. */
  readonly anomalous: readonly boolean[];
}

function check(set: Labelled): void {
  if (set.scores.length !== set.anomalous.length) throw new RangeError('metrics: scores and labels differ in length');
  if (set.scores.some((s) => !Number.isFinite(s))) throw new RangeError('metrics: scores must be finite');
}

function classCounts(set: Labelled): { positives: number; negatives: number } {
  const positives = set.anomalous.filter(Boolean).length;
  return { positives, negatives: set.anomalous.length - positives };
}

/** Area under the ROC curve = P(score of an anomalous > score of a normal), ties counting one half (roc_auc_score). */
export function auroc(set: Labelled): number {
  check(set);
  const { positives, negatives } = classCounts(set);
  if (positives === 0 || negatives === 0) throw new RangeError('AUROC needs both normal and anomalous scores');
  const order = set.scores.map((s, i) => ({ s, a: set.anomalous[i]! })).sort((x, y) => x.s - y.s);
  // Mann–Whitney U from mid-ranks.
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]!.s === order[i]!.s) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (order[k]!.a) rankSum += midRank;
    i = j;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** One point per distinct score, highest first: predicted anomalous = score ≥ threshold. */
const curve = (set: Labelled): SweepPoint[] => thresholdSweep(set.scores, set.anomalous);

/** Average precision, Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds (average_precision_score). */
export function aupr(set: Labelled): number {
  check(set);
  const { positives } = classCounts(set);
  if (positives === 0) throw new RangeError('AUPR needs anomalous scores');
  return precisionRecallCurve(set.scores, set.anomalous).averagePrecision!;
}

export interface Confusion {
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function f1Of(tp: number, fp: number, positives: number): number {
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + (positives - tp));
}

export function f1At(set: Labelled, threshold: number): Confusion {
  check(set);
  const { positives } = classCounts(set);
  let tp = 0;
  let fp = 0;
  set.scores.forEach((s, i) => {
    if (s >= threshold) {
      if (set.anomalous[i]) tp++;
      else fp++;
    }
  });
  return { threshold, precision: tp + fp === 0 ? 0 : tp / (tp + fp), recall: positives === 0 ? 0 : tp / positives, f1: f1Of(tp, fp, positives) };
}

/** The threshold (one of the scores) with the highest F1; the higher threshold wins a tie. */
export function bestF1(set: Labelled): Confusion {
  check(set);
  const { positives } = classCounts(set);
  if (positives === 0) throw new RangeError('F1 needs anomalous scores');
  let best: Confusion | undefined;
  for (const { threshold, tp, fp } of curve(set)) {
    const f1 = f1Of(tp, fp, positives);
    if (!best || f1 > best.f1) best = { threshold, precision: tp / (tp + fp), recall: tp / positives, f1 };
  }
  return best!;
}

export interface Histogram {
  /** bins + 1 edges, evenly spaced from the lowest to the highest score. */
  readonly edges: number[];
  readonly normal: number[];
  readonly anomalous: number[];
}

/** Counts per bin and class, binned exactly as numpy.histogram does (the last bin includes its upper edge). */
export function histogram(set: Labelled, bins = 10): Histogram {
  check(set);
  if (set.scores.length === 0) throw new RangeError('histogram: no scores');
  let lo = Math.min(...set.scores);
  let hi = Math.max(...set.scores);
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * step));
  const norm = bins / (hi - lo);
  const normal = new Array<number>(bins).fill(0);
  const anomalous = new Array<number>(bins).fill(0);
  set.scores.forEach((s, i) => {
    let bin = Math.min(bins - 1, Math.floor((s - lo) * norm));
    // numpy's correction for rounding: the edges decide, not the division.
    if (s < edges[bin]!) bin--;
    else if (bin < bins - 1 && s >= edges[bin + 1]!) bin++;
    (set.anomalous[i] ? anomalous : normal)[bin]!++;
  });
  return { edges, normal, anomalous };
}
