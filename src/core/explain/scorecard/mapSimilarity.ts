/** Ranks from 1, ties sharing their mean rank (scipy's rankdata 'average'). */
function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + end + 1) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}

function pearson(a: Float64Array, b: Float64Array): number | null {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : null;
}

/** Spearman's rank correlation (scipy.stats.spearmanr, Quantus' correlation_spearman); null when a map is constant (scipy: NaN). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  return pearson(averageRanks(a), averageRanks(b));
}

/** Box means over every full `size`×`size` window, indexed by the window's centre in the cropped grid. */
function windowMeans(data: Float64Array, width: number, height: number, size: number): Float64Array {
  const ow = width - size + 1;
  const oh = height - size + 1;
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sum = 0;
      for (let dy = 0; dy < size; dy++) for (let dx = 0; dx < size; dx++) sum += data[(y + dy) * width + x + dx]!;
      out[y * ow + x] = sum / (size * size);
    }
  }
  return out;
}

const WINDOW = 7;
const K1 = 0.01;
const K2 = 0.03;

/**
 * Mean structural similarity as Quantus' ssim computes it: scikit-image's
 * structural_similarity with its defaults (7×7 uniform window, sample
 * covariances, K1 0.01, K2 0.03, the mean over the windows that fit inside
 * the image) and the data range of both maps together. Null when both maps
 * are one constant (scikit-image: NaN).
 */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number): number | null {
  if (width < WINDOW || height < WINDOW) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...Array.from(a), ...Array.from(b)]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const range = hi - lo;
  if (!(range > 0)) return null;
  const fa = Float64Array.from(a);
  const fb = Float64Array.from(b);
  const ux = windowMeans(fa, width, height, WINDOW);
  const uy = windowMeans(fb, width, height, WINDOW);
  const uxx = windowMeans(
    fa.map((v) => v * v),
    width,
    height,
    WINDOW,
  );
  const uyy = windowMeans(
    fb.map((v) => v * v),
    width,
    height,
    WINDOW,
  );
  const uxy = windowMeans(
    fa.map((v, i) => v * fb[i]!),
    width,
    height,
    WINDOW,
  );
  const covNorm = (WINDOW * WINDOW) / (WINDOW * WINDOW - 1);
  const c1 = (K1 * range) ** 2;
  const c2 = (K2 * range) ** 2;
  let total = 0;
  for (let i = 0; i < ux.length; i++) {
    const vx = covNorm * (uxx[i]! - ux[i]! ** 2);
    const vy = covNorm * (uyy[i]! - uy[i]! ** 2);
    const vxy = covNorm * (uxy[i]! - ux[i]! * uy[i]!);
    total += ((2 * ux[i]! * uy[i]! + c1) * (2 * vxy + c2)) / ((ux[i]! ** 2 + uy[i]! ** 2 + c1) * (vx + vy + c2));
  }
  return total / ux.length;
}
