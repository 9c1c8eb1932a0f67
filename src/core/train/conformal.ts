/**
 * Adaptive prediction sets (APS; Romano, Sesia & Candès 2020, "Classification
 * with Valid and Adaptive Coverage"), without randomisation: a scan's set is
 * its classes from the most probable down until their probabilities add up
 * to the threshold. The threshold is a quantile of the calibration scans'
 * scores, so that on scans exchangeable with them the true class lies in the
 * set with probability at least 1 − alpha.
 */

/** Class indices from most to least probable; equal probabilities by class index. */
function ranked(probabilities: readonly number[]): number[] {
  return probabilities.map((_, c) => c).sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
}

/** The conformity score of a calibration scan: the probability of its true class and of every class ranked above it. */
export function apsScore(probabilities: readonly number[], truth: number): number {
  let mass = 0;
  for (const c of ranked(probabilities)) {
    mass += probabilities[c]!;
    if (c === truth) return mass;
  }
  throw new Error(`class ${truth} is not among ${probabilities.length} classes`);
}

/**
 * The threshold for miscoverage `alpha`: the ⌈(n + 1)(1 − alpha)⌉-th smallest
 * of the n calibration scores, or 1 (every class) when that rank exceeds n —
 * too few calibration scans for so small an alpha.
 */
export function apsThreshold(scores: readonly number[], alpha: number): number {
  const n = scores.length;
  const rank = Math.ceil((n + 1) * (1 - alpha));
  if (rank > n) return 1;
  return [...scores].sort((a, b) => a - b)[Math.max(rank, 1) - 1]!;
}

/** A scan's prediction set: its most probable classes until their probabilities reach `threshold` (the class that reaches it included). */
export function apsSet(probabilities: readonly number[], threshold: number): number[] {
  const set: number[] = [];
  let mass = 0;
  for (const c of ranked(probabilities)) {
    if (mass >= threshold && set.length > 0) break;
    set.push(c);
    mass += probabilities[c]!;
  }
  return set;
}
