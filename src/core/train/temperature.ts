/**
 * Temperature scaling (Guo et al. 2017): the one T > 0 that minimises the
 * mean negative log-likelihood of softmax(logits / T) on held-out rows.
 * Found by golden-section search on log T over [1/100, 100] (the NLL is
 * convex in 1/T, so unimodal there), to a relative precision of 1e-9.
 */
export function fitTemperature(logits: Float64Array, truth: Int32Array, classes: number): number {
  const nll = (t: number): number => {
    let sum = 0;
    for (let i = 0; i < truth.length; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]! / t);
      let total = 0;
      for (let c = 0; c < classes; c++) total += Math.exp(logits[i * classes + c]! / t - max);
      sum += max + Math.log(total) - logits[i * classes + truth[i]!]! / t;
    }
    return sum / truth.length;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [low, high] = [Math.log(0.01), Math.log(100)];
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = nll(Math.exp(a));
  let fb = nll(Math.exp(b));
  while (high - low > 1e-9) {
    if (fa <= fb) {
      [high, b, fb] = [b, a, fa];
      a = high - ratio * (high - low);
      fa = nll(Math.exp(a));
    } else {
      [low, a, fa] = [a, b, fb];
      b = low + ratio * (high - low);
      fb = nll(Math.exp(b));
    }
  }
  return Math.exp((low + high) / 2);
}
