import { dirname, sep } from 'node:path';
import { folderLabels, labelledAudit } from '../../core/report/html/labelledAudit';
import { reportEntry } from '../../core/report/html/reportEntry';
import type { ResultsView } from '../../protocol/resultsMessages';
import type { ResultFile } from './resultFile';

/** The deepest folder holding every scan of the result: the folder that was classified, for one folder. */
export function classifiedFolder(result: ResultFile): string | undefined {
  const folders = result.resolved.flatMap((row) => ('files' in row && row.files?.length ? row.files.map(dirname) : [dirname(row.file)]));
  if (folders.length === 0) return undefined;
  let common = folders[0]!.split(sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(sep);
    let same = 0;
    while (same < common.length && same < parts.length && common[same] === parts[same]) same++;
    common = common.slice(0, same);
  }
  return common.join(sep) || sep;
}

/** Points a curve keeps for the page: finer than its chart can draw, few enough that 10,000 rows do not send 80,000 numbers. */
export const CURVE_POINTS = 400;

/**
 * A curve on the unit square (ROC, precision–recall) as the page draws it:
 * whole up to CURVE_POINTS points; a longer one keeps each point at least
 * 1/CURVE_POINTS from the last kept one along either axis, and its ends.
 * (The AUC and average precision are evaluate's, from every point.)
 */
export function chartCurve(xs: readonly number[], ys: readonly number[]): { x: number[]; y: number[] } {
  if (xs.length <= CURVE_POINTS) return { x: [...xs], y: [...ys] };
  const kept = { x: [xs[0]!], y: [ys[0]!] };
  for (let i = 1; i < xs.length; i++) {
    const last = kept.x.length - 1;
    const far = Math.max(Math.abs(xs[i]! - kept.x[last]!), Math.abs(ys[i]! - kept.y[last]!)) >= 1 / CURVE_POINTS;
    if (far || i === xs.length - 1) {
      kept.x.push(xs[i]!);
      kept.y.push(ys[i]!);
    }
  }
  return kept;
}

/**
 * What the page shows: one entry per row (the HTML report's entries, the
 * row's own numbers), and when the classified folder has labels the audit
 * `scanlens evaluate` gives for it (labelledAudit scores the rows with
 * evaluateJob's labelledScores), each labelled entry carrying its true class.
 */
export async function resultsView(result: ResultFile, title: string, source: string, folder = classifiedFolder(result), base?: string): Promise<ResultsView> {
  const entries = result.resolved.map(reportEntry);
  const labels = folder === undefined ? undefined : await folderLabels(folder, result.model.labels);
  const audit =
    labels && !('none' in labels)
      ? labelledAudit(
          result.model.labels,
          entries,
          result.resolved.map((r) => ('files' in r ? r.files : undefined)),
          labels,
        )
      : undefined;
  return {
    reopen: { path: result.path, ...(base !== undefined ? { base } : {}), ...(folder !== undefined ? { folder } : {}) },
    title,
    source,
    model: { name: result.model.name, labels: [...result.model.labels] },
    // Paths as the result file has them: relative to the workspace after a folder classification.
    entries: entries.map(({ probabilities: _, ...entry }, i) => ({
      ...entry,
      file: result.rows[i]!.file,
      ...(audit?.truth[i] !== undefined ? { truth: audit.truth[i] } : {}),
    })),
    ...(audit
      ? {
          audit: {
            source: audit.source,
            evaluated: audit.evaluated,
            failed: audit.failed,
            unlabelled: audit.unlabelled,
            accuracy: audit.accuracy,
            perClass: audit.perClass.map((c) => ({ label: c.label, precision: c.precision, recall: c.recall, support: c.support, auc: c.auc, averagePrecision: c.averagePrecision })),
            confusion: audit.confusion.map((row) => [...row]),
            roc: audit.roc.map((r) => {
              const { x, y } = chartCurve(r.fpr, r.tpr);
              return { label: r.label, fpr: x, tpr: y, auc: r.auc };
            }),
            precisionRecall: audit.precisionRecall.map((c) => {
              const { x, y } = chartCurve(c.recall, c.precision);
              return { label: c.label, recall: x, precision: y, averagePrecision: c.averagePrecision };
            }),
            calibration: { ...audit.calibration, bins: audit.calibration.bins.map((b) => ({ ...b })) },
          },
        }
      : labels && 'none' in labels
        ? { audit: { none: labels.none } }
        : {}),
  };
}
