import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { labelledScores, type LabelledScores } from '../../jobs/evaluateJob';
import { readLabelledScans } from '../../scan/labelledScans';
import type { ReportEntry } from './reportEntry';

/** Where a folder's labels come from, as the report states it. */
export interface FolderLabels {
  readonly source: 'labels.csv' | 'class folders';
  /** Label by absolute file path. */
  readonly byFile: ReadonlyMap<string, string>;
}

/**
 * A folder's labels, read as `evaluate` reads them (readLabelledScans): its
 * `labels.csv` when it has one, else its sub-folders when every one holding
 * scans is named after one of the model's classes. Anything else is no
 * labels: undefined for a folder without class sub-folders, else the reason
 * (a sub-folder that is no class), so a reader who expected the audit learns why.
 */
export async function folderLabels(folder: string, classes: readonly string[]): Promise<FolderLabels | { readonly none: string } | undefined> {
  const csv = join(folder, 'labels.csv');
  const hasCsv = (await stat(csv).catch(() => undefined))?.isFile() === true;
  const items = await readLabelledScans(hasCsv ? csv : folder, hasCsv ? csv : folder).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  if (typeof items === 'string') return hasCsv ? { none: items } : undefined;
  const unknown = [...new Set(items.map((i) => i.label))].filter((label) => !classes.includes(label));
  if (unknown.length > 0) return { none: `${hasCsv ? 'labels.csv names' : 'sub-folders named'} ${unknown.map((l) => `'${l}'`).join(', ')}, not among the model's classes` };
  return { source: hasCsv ? 'labels.csv' : 'class folders', byFile: new Map(items.map((i) => [resolve(i.file), i.label])) };
}

export interface LabelledAudit extends LabelledScores {
  readonly labels: readonly string[];
  readonly source: FolderLabels['source'];
  /** Entries scored: labelled and classified. */
  readonly evaluated: number;
  /** Labelled entries that failed (not scored, as `evaluate` counts them). */
  readonly failed: number;
  /** Entries with no label (scans outside the class folders or labels.csv). */
  readonly unlabelled: number;
  /** Each entry's true label, in entry order (undefined when it has none). */
  readonly truth: readonly (string | undefined)[];
}

/** An entry's label: its file's, or for a series the label its files share. */
function labelOf(entry: ReportEntry, files: readonly string[] | undefined, labels: FolderLabels): string | undefined {
  const found = new Set((files ?? [entry.file]).map((f) => labels.byFile.get(resolve(f))));
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * The numbers `scanlens evaluate` gives (labelledScores: accuracy,
 * per-class precision, recall and ROC AUC, the confusion matrix and
 * calibration with its reliability bins) for the labelled, classified
 * entries: the same rows the report lists. Undefined when no entry is
 * labelled and classified.
 */
export function labelledAudit(classes: readonly string[], entries: readonly ReportEntry[], files: readonly (readonly string[] | undefined)[], labels: FolderLabels): LabelledAudit | undefined {
  const truth = entries.map((entry, i) => labelOf(entry, files[i], labels));
  const scored = entries.flatMap((entry, i) => (truth[i] !== undefined && entry.top && entry.probabilities ? [{ entry, label: truth[i] }] : []));
  if (scored.length === 0) return undefined;
  const scores = labelledScores(
    classes,
    scored.map((s) => classes.indexOf(s.label)),
    scored.map((s) => classes.indexOf(s.entry.top!.label)),
    scored.map((s) => s.entry.probabilities!),
  );
  return {
    ...scores,
    labels: classes,
    source: labels.source,
    evaluated: scored.length,
    failed: entries.filter((e, i) => truth[i] !== undefined && e.error !== undefined).length,
    unlabelled: truth.filter((l) => l === undefined).length,
    truth,
  };
}
