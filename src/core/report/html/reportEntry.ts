import type { SliceAxis } from '../../scan/reslice';
import { isVolumeResult, rowError, type ClassifyResult } from '../../jobs/classifyJob';
import type { InputKind } from '../../jobs/classifyInputs';

/**
 * One report entry: exactly one classify row (an image, or a volume or
 * series by its top peak slice), with the numbers a reader sorts by. The
 * numbers are the row's own, never recomputed from a picture.
 */
export interface ReportEntry {
  readonly file: string;
  readonly kind: InputKind;
  /** For a volume or series: the top peak's slice along the axis, from 0, of `count`. */
  readonly slice?: { readonly axis: SliceAxis; readonly index: number; readonly count: number };
  readonly top?: { readonly label: string; readonly probability: number };
  /** Top probability minus the runner-up's, of the probabilities behind `top`; absent when they are not in the row (a volume resumed from CSV). */
  readonly margin?: number;
  /** Shannon entropy of those probabilities, in bits: 0 when one class has all of it, log2(classes) when they are even. */
  readonly entropy?: number;
  /** The class probabilities behind `top`: the image's, or the top peak slice's. */
  readonly probabilities?: readonly number[];
  /** Out-of-distribution verdict, when the model has a guard. */
  readonly anomaly?: { readonly score: number; readonly threshold: number; readonly flagged: boolean };
  readonly error?: string;
}

export function margin(probabilities: readonly number[]): number {
  let first = -Infinity;
  let second = -Infinity;
  for (const p of probabilities) {
    if (p > first) [first, second] = [p, first];
    else if (p > second) second = p;
  }
  return probabilities.length < 2 ? first : first - second;
}

export function entropyBits(probabilities: readonly number[]): number {
  // 0 · log 0 is taken as 0, its limit.
  return probabilities.reduce((sum, p) => (p > 0 ? sum - p * Math.log2(p) : sum), 0);
}

/** The probabilities behind a row's top class: an image's own, or a volume's top peak slice's. */
function topProbabilities(row: ClassifyResult): readonly number[] | undefined {
  if (isVolumeResult(row)) return row.slices.find((s) => s.slice === row.top.slice)?.probabilities;
  return 'probabilities' in row ? row.probabilities : undefined;
}

export function reportEntry(row: ClassifyResult): ReportEntry {
  const error = rowError(row);
  if (error !== undefined) return { file: row.file, kind: row.kind, error };
  const probabilities = topProbabilities(row);
  const verdict = isVolumeResult(row) ? row.top : 'anomalyScore' in row ? row : undefined;
  const anomaly =
    verdict?.anomalyScore !== undefined && verdict.anomalyThreshold !== undefined
      ? { score: verdict.anomalyScore, threshold: verdict.anomalyThreshold, flagged: verdict.flag !== undefined }
      : undefined;
  const top = 'top' in row && row.top ? { label: row.top.label, probability: row.top.probability } : undefined;
  return {
    file: row.file,
    kind: row.kind,
    ...(isVolumeResult(row) ? { slice: { axis: row.axis, index: row.top.slice, count: row.sliceCount } } : {}),
    ...(top ? { top } : {}),
    ...(probabilities ? { probabilities, margin: margin(probabilities), entropy: entropyBits(probabilities) } : {}),
    ...(anomaly ? { anomaly } : {}),
  };
}
