/**
 * Percentiles with numpy's default ("linear") interpolation: the p-th
 * percentile sits at fractional rank p/100·(n−1) of the sorted values.
 * All requested percentiles share one sort.
 */
export function percentiles(values: Float32Array, ps: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentiles: no values');
  const sorted = Float32Array.from(values).sort();
  const last = sorted.length - 1;
  return ps.map((p) => {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentiles: ${p} is outside 0..100`);
    const rank = (p / 100) * last;
    const below = Math.floor(rank);
    const above = Math.min(below + 1, last);
    const lo = sorted[below]!;
    return lo + (rank - below) * (sorted[above]! - lo);
  });
}
