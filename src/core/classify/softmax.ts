/** Numerically stable softmax in float64, so probabilities sum to 1 within rounding. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const exps = Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** True when values already look like a probability distribution. */
export function looksLikeProbabilities(values: ArrayLike<number>): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) < 1e-3;
}
