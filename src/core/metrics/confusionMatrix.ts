import { ScanLensError } from '../errors';

export interface ClassMetrics {
  readonly label: string;
  /** Of the files predicted as this class, the share that truly are; null when none were predicted. */
  readonly precision: number | null;
  /** Of the files truly of this class, the share found; null when the class has no files. */
  readonly recall: number | null;
  readonly support: number;
}

export interface ClassificationMetrics {
  readonly labels: readonly string[];
  /** matrix[true][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
  readonly accuracy: number;
  readonly perClass: readonly ClassMetrics[];
}

/** Accuracy, confusion matrix and per-class precision/recall from class indices. */
export function classificationMetrics(labels: readonly string[], truth: readonly number[], predicted: readonly number[]): ClassificationMetrics {
  if (truth.length !== predicted.length) throw new ScanLensError(`${truth.length} true labels for ${predicted.length} predictions`);
  if (truth.length === 0) throw new ScanLensError('no labelled files to evaluate');
  const n = labels.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (!(t >= 0 && t < n && p >= 0 && p < n)) throw new ScanLensError(`class index out of range at item ${i}`);
    confusion[t]![p]!++;
  });
  const correct = confusion.reduce((sum, row, i) => sum + row[i]!, 0);
  const perClass = labels.map((label, c) => {
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const hits = confusion[c]![c]!;
    return { label, precision: predictedAs === 0 ? null : hits / predictedAs, recall: support === 0 ? null : hits / support, support };
  });
  return { labels, confusion, accuracy: correct / truth.length, perClass };
}
