import { classifyFiles } from '../classify/classify';
import { ScanLensError } from '../errors';
import { calibration, type Calibration } from '../metrics/calibration';
import { classificationMetrics, type ClassMetrics } from '../metrics/confusionMatrix';
import { oneVsRestPrecisionRecall } from '../metrics/precisionRecall';
import { oneVsRestRoc } from '../metrics/rocAuc';
import type { LoadedModel } from '../model/loadModel';
import { readLabelledScans } from '../scan/labelledScans';

export interface EvaluateOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** Called with every scan the labelled set lists before it is read; throws to refuse one (a notebook's file scope). */
  readonly admit?: (file: string) => Promise<void>;
  /** How a scan or the labelled set is named in messages (a notebook shows paths relative to itself). */
  readonly display?: (file: string) => string;
}

/** One labelled scan: its prediction and probabilities, or why it could not be classified. */
export type EvaluateRow =
  { readonly file: string; readonly label: string; readonly prediction: string; readonly probabilities: readonly number[] } | { readonly file: string; readonly label: string; readonly error: string };

export interface EvaluateResult {
  /** The labelled folder or CSV, as given. */
  readonly source: string;
  readonly labels: readonly string[];
  /** Every labelled scan, in the order the labelled set lists them. */
  readonly rows: readonly EvaluateRow[];
  readonly failed: number;
  readonly accuracy: number;
  /** With each class's one-against-the-rest ROC AUC and average precision (null when the class has no scan, or for AUC every scan). */
  readonly perClass: readonly (ClassMetrics & { readonly auc: number | null; readonly averagePrecision: number | null })[];
  /** confusion[true][predicted] */
  readonly confusion: readonly (readonly number[])[];
  readonly roc: readonly { readonly label: string; readonly fpr: readonly number[]; readonly tpr: readonly number[]; readonly auc: number | null }[];
  /** One-against-the-rest precision–recall curve of each class, as scikit-learn's precision_recall_curve. */
  readonly precisionRecall: readonly { readonly label: string; readonly precision: readonly number[]; readonly recall: readonly number[]; readonly averagePrecision: number | null }[];
  /** Of the probabilities the model reports (its manifest's temperature applied). */
  readonly calibration: Calibration;
}

/**
 * Classifies labelled scans (class folders or a file,label CSV) and scores the
 * model against the labels: accuracy, per-class precision, recall and
 * one-against-the-rest ROC AUC, the confusion matrix and calibration. A scan
 * that cannot be classified is an error row; the others go on.
 */
export async function evaluateJob(model: LoadedModel, labelled: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const labels = model.manifest.labels;
  const display = options.display ?? ((file: string) => file);
  const items = await readLabelledScans(labelled, display(labelled));
  for (const item of items) {
    await options.admit?.(item.file);
    if (!labels.includes(item.label)) throw new ScanLensError(`unknown label '${item.label}' for ${display(item.file)}; the model's classes are ${labels.join(', ')}`, display(labelled));
  }
  const rows: EvaluateRow[] = [];
  const truth: number[] = [];
  const predicted: number[] = [];
  const probabilities: number[][] = [];
  let index = 0;
  for await (const row of classifyFiles(
    model,
    items.map((i) => i.file),
    { batchSize: options.batchSize ?? 8, signal: options.signal, onProgress: options.onProgress },
  )) {
    const item = items[index++]!;
    if (row.error !== undefined) {
      rows.push({ file: row.file, label: item.label, error: row.error });
      continue;
    }
    truth.push(labels.indexOf(item.label));
    predicted.push(labels.indexOf(row.top!.label));
    probabilities.push([...row.probabilities!]);
    rows.push({ file: row.file, label: item.label, prediction: row.top!.label, probabilities: [...row.probabilities!] });
  }
  if (options.signal?.aborted) throw new ScanLensError('evaluation cancelled', display(labelled));
  return { source: labelled, labels, rows, failed: rows.length - truth.length, ...labelledScores(labels, truth, predicted, probabilities) };
}

/** The numbers of an evaluation, from classified rows' class indices (true, predicted) and probabilities: what evaluateJob and classify's HTML report both show. */
export type LabelledScores = Omit<EvaluateResult, 'source' | 'labels' | 'rows' | 'failed'>;

export function labelledScores(labels: readonly string[], truth: readonly number[], predicted: readonly number[], probabilities: readonly (readonly number[])[]): LabelledScores {
  const metrics = classificationMetrics(labels, truth, predicted);
  const roc = oneVsRestRoc(labels, truth, probabilities);
  const precisionRecall = oneVsRestPrecisionRecall(labels, truth, probabilities);
  return {
    accuracy: metrics.accuracy,
    perClass: metrics.perClass.map((c, i) => ({ ...c, auc: roc[i]!.auc, averagePrecision: precisionRecall[i]!.averagePrecision })),
    confusion: metrics.confusion,
    roc: roc.map((r) => ({ label: r.label, fpr: r.fpr, tpr: r.tpr, auc: r.auc })),
    precisionRecall,
    calibration: calibration(probabilities, truth),
  };
}
