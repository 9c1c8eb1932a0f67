/**
 * Pixel-level anomaly metrics as anomalib defines them, over maps and
 * ground-truth masks on the same grid; mask pixel ≠ 0 is the positive class.
 *
 * - Pixel AUROC: the ROC AUC over every pixel of every image (roc_auc_score
 *   on the flattened maps and masks; ties count one half).
 * - AUPRO: the masks' connected components (per image, 8-connected, as
 *   anomalib's cv2.connectedComponents labels them) are the regions. At a
 *   threshold t, PRO(t) is the mean over all regions of the fraction of each
 *   region's pixels scoring ≥ t, and FPR(t) the fraction of all normal
 *   pixels scoring ≥ t. The PRO-over-FPR curve from (0, 0) is integrated by
 *   the trapezoid rule up to FPR 0.3 (interpolated linearly there) and
 *   divided by 0.3.
 *
 * Checked against scripts/reference/pixel_metrics_reference.py.
 */

/** anomalib's default integration limit for AUPRO. */
export const AUPRO_FPR_LIMIT = 0.3;

/**
 * 8-connected components of a mask (value ≠ 0), labelled 1… in raster order
 * of their first pixel; 0 outside. Returns the labels and the count.
 */
export function labelRegions(mask: ArrayLike<number>, width: number, height: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(width * height);
  const stack: number[] = [];
  let count = 0;
  for (let start = 0; start < labels.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    labels[start] = ++count;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] !== 0 && labels[j] === 0) {
            labels[j] = count;
            stack.push(j);
          }
        }
      }
    }
  }
  return { labels, count };
}

export interface PixelMetrics {
  /** Images added (masks given). */
  readonly images: number;
  readonly pixels: number;
  readonly anomalousPixels: number;
  /** Connected components of the masks, over all images. */
  readonly regions: number;
  /** null when the pixels are all of one class. */
  readonly auroc: number | null;
  /** null without both a region and a normal pixel. */
  readonly aupro: number | null;
  readonly fprLimit: number;
}

/**
 * Collects maps and masks image by image (each labelled as it comes), then
 * computes both metrics in one pass over the pixels in descending score. Pixels
 * whose score is NaN (where the scorer did not see the slice) are left out.
 */
export class PixelMetricsAccumulator {
  private readonly scores: Float32Array[] = [];
  /** Per pixel: 0 normal, else the region's index over all images, from 1. */
  private readonly regionOf: Int32Array[] = [];
  /** Pixel count of each region, by index (0 unused). */
  private readonly regionSizes: number[] = [0];
  private images = 0;

  add(map: ArrayLike<number>, mask: ArrayLike<number>, width: number, height: number): void {
    const n = width * height;
    if (map.length !== n || mask.length !== n) throw new RangeError(`map (${map.length}) and mask (${mask.length}) must both be ${width}×${height}`);
    const seen: number[] = [];
    for (let i = 0; i < n; i++) if (!Number.isNaN(map[i]!)) seen.push(i);
    // Regions are labelled on the whole mask, then counted where the map was seen.
    const { labels, count } = labelRegions(mask, width, height);
    const first = this.regionSizes.length;
    for (let k = 0; k < count; k++) this.regionSizes.push(0);
    const scores = new Float32Array(seen.length);
    const regions = new Int32Array(seen.length);
    seen.forEach((i, k) => {
      scores[k] = map[i]!;
      const label = labels[i]!;
      if (label > 0) {
        regions[k] = first + label - 1;
        this.regionSizes[first + label - 1]!++;
      }
    });
    this.scores.push(scores);
    this.regionOf.push(regions);
    this.images++;
  }

  result(fprLimit = AUPRO_FPR_LIMIT): PixelMetrics {
    // Normal pixels (nearly all) sorted natively; lesion pixels, few, sorted with their regions; then merged.
    let positives = 0;
    for (const regions of this.regionOf) for (const r of regions) if (r !== 0) positives++;
    const total = this.scores.reduce((sum, s) => sum + s.length, 0);
    const negatives = total - positives;
    const normal = new Float32Array(negatives);
    const lesion = new Float32Array(positives);
    const lesionRegion = new Int32Array(positives);
    let [n, p] = [0, 0];
    this.scores.forEach((scores, k) => {
      const regions = this.regionOf[k]!;
      for (let i = 0; i < scores.length; i++) {
        if (regions[i] === 0) normal[n++] = scores[i]!;
        else [lesion[p], lesionRegion[p++]] = [scores[i]!, regions[i]!];
      }
    });
    normal.sort();
    const lesionOrder = Uint32Array.from({ length: positives }, (_, i) => i).sort((a, b) => lesion[b]! - lesion[a]!);
    // A region can vanish where the map was not seen (all its pixels NaN): it has no overlap to measure.
    const sizes = this.regionSizes;
    const liveRegions = sizes.filter((size, k) => k > 0 && size > 0).length;

    // Walk tie groups from the highest score down: each is one threshold, one point of both curves.
    let tp = 0;
    let fp = 0;
    let rocArea = 0;
    let overlap = 0;
    let [lastFpr, lastPro] = [0, 0];
    let proArea = 0;
    let integrating = negatives > 0 && liveRegions > 0;
    let nextNormal = negatives - 1;
    let nextLesion = 0;
    while (nextNormal >= 0 || nextLesion < positives) {
      const s = Math.max(nextNormal >= 0 ? normal[nextNormal]! : -Infinity, nextLesion < positives ? lesion[lesionOrder[nextLesion]!]! : -Infinity);
      let [groupTp, groupFp, groupOverlap] = [0, 0, 0];
      for (; nextNormal >= 0 && normal[nextNormal] === s; nextNormal--) groupFp++;
      for (; nextLesion < positives && lesion[lesionOrder[nextLesion]!] === s; nextLesion++) {
        groupTp++;
        groupOverlap += 1 / sizes[lesionRegion[lesionOrder[nextLesion]!]!]!;
      }
      rocArea += groupFp * (tp + groupTp / 2);
      tp += groupTp;
      fp += groupFp;
      overlap += groupOverlap;
      if (!integrating) continue;
      const fpr = fp / negatives;
      const pro = overlap / liveRegions;
      if (fpr >= fprLimit) {
        const atLimit = lastPro + ((pro - lastPro) * (fprLimit - lastFpr)) / (fpr - lastFpr);
        proArea += ((fprLimit - lastFpr) * (lastPro + atLimit)) / 2;
        integrating = false;
      } else {
        proArea += ((fpr - lastFpr) * (lastPro + pro)) / 2;
        [lastFpr, lastPro] = [fpr, pro];
      }
    }
    return {
      images: this.images,
      pixels: total,
      anomalousPixels: positives,
      regions: liveRegions,
      auroc: positives > 0 && negatives > 0 ? rocArea / (positives * negatives) : null,
      aupro: negatives > 0 && liveRegions > 0 ? proArea / fprLimit : null,
      fprLimit,
    };
  }
}
