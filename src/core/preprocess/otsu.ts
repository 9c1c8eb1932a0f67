/**
 * Otsu's threshold: the level that maximises the between-class variance of
 * a 256-bin histogram. Bins span the values' own min..max and the answer is a
 * bin centre, as in skimage.filters.threshold_otsu, so a dim image still gets
 * the full 256-level resolution. Foreground is `value > threshold`.
 */

const BINS = 256;

export function otsuThreshold(values: Float32Array): number {
  if (values.length === 0) throw new RangeError('otsuThreshold: no values');
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // One grey level: there is nothing to separate, and nothing lies above it.
  if (min === max) return min;

  const hist = new Float64Array(BINS);
  const scale = BINS / (max - min);
  for (let i = 0; i < values.length; i++) {
    hist[Math.min(BINS - 1, Math.floor((values[i]! - min) * scale))]! += 1;
  }

  const binWidth = (max - min) / BINS;
  const centre = (b: number): number => min + (b + 0.5) * binWidth;
  let total = 0;
  let totalMass = 0;
  for (let b = 0; b < BINS; b++) {
    total += hist[b]!;
    totalMass += hist[b]! * centre(b);
  }

  // Below = bins 0..b, above = the rest. Both are never empty: bin 0 holds
  // the minimum and the last bin the maximum.
  let best = 0;
  let bestVariance = -1;
  let below = 0;
  let belowMass = 0;
  for (let b = 0; b < BINS - 1; b++) {
    below += hist[b]!;
    belowMass += hist[b]! * centre(b);
    const above = total - below;
    const difference = belowMass / below - (totalMass - belowMass) / above;
    const variance = below * above * difference * difference;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = b;
    }
  }
  return centre(best);
}
