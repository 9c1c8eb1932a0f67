/** Numerically stable softmax in float64, so probabilities sum to 1 within rounding. */
export function softmax(logits: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Array<number>(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Softmax of logits divided by a temperature (temperature scaling); 1 or none leaves them as they are. */
export function scaledSoftmax(logits: ArrayLike<number>, temperature: number | undefined): number[] {
  return temperature === undefined || temperature === 1 ? softmax(logits) : softmax(Array.from(logits, (z) => z / temperature));
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
