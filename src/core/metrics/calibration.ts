/** Calibration of predicted probabilities against true classes (Guo et al. 2017, "On Calibration of Modern Neural Networks"). */

/** One bin of a reliability diagram: rows whose top probability falls in [low, high). */
export interface ReliabilityBin {
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Mean top probability of the bin's rows, and the fraction of them whose top class is right. */
  readonly confidence: number;
  readonly accuracy: number;
}

export interface Calibration {
  /** Expected calibration error: Σ (bin rows / rows) · |accuracy − confidence|, over equal-width bins of the top probability. */
  readonly ece: number;
  /** Maximum calibration error: the largest |accuracy − confidence| of a non-empty bin. */
  readonly mce: number;
  /** Multi-class Brier score: mean over rows of Σ_c (p_c − [c = true])². */
  readonly brier: number;
  /** Mean negative log-likelihood of the true class. */
  readonly nll: number;
  readonly bins: readonly ReliabilityBin[];
}

export const RELIABILITY_BINS = 15;

/** Calibration of `probabilities` (rows × classes, each row summing to 1) against `truth`. */
export function calibration(probabilities: readonly (readonly number[])[], truth: readonly number[], binCount = RELIABILITY_BINS): Calibration {
  const n = truth.length;
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, correct: 0 }));
  let brier = 0;
  let nll = 0;
  probabilities.forEach((row, i) => {
    let top = 0;
    row.forEach((p, c) => {
      if (p > row[top]!) top = c;
      brier += (p - (c === truth[i] ? 1 : 0)) ** 2;
    });
    nll -= Math.log(Math.max(row[truth[i]!]!, Number.MIN_VALUE));
    // A top probability of exactly 1 belongs to the last bin, as (low, high] binning would put it.
    const bin = sums[Math.min(binCount - 1, Math.floor(row[top]! * binCount))]!;
    bin.count++;
    bin.confidence += row[top]!;
    if (top === truth[i]) bin.correct++;
  });
  const bins = sums.map((s, b) => ({
    low: b / binCount,
    high: (b + 1) / binCount,
    count: s.count,
    confidence: s.count > 0 ? s.confidence / s.count : 0,
    accuracy: s.count > 0 ? s.correct / s.count : 0,
  }));
  const gaps = bins.filter((b) => b.count > 0).map((b) => ({ weight: b.count / n, gap: Math.abs(b.accuracy - b.confidence) }));
  return {
    ece: gaps.reduce((sum, g) => sum + g.weight * g.gap, 0),
    mce: gaps.reduce((max, g) => Math.max(max, g.gap), 0),
    brier: brier / n,
    nll: nll / n,
    bins,
  };
}
