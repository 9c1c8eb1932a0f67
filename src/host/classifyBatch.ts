import { stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { OUT_OF_DISTRIBUTION } from '../core/anomaly/oodGuard';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { ScanLensError } from '../core/errors';
import { writeFileAtomic } from '../core/io/atomicWrite';
import { listScans } from '../core/scan/listScans';
import { classifyInputs } from '../core/jobs/classifyInputs';
import { classifyJob, rowError, type ClassifyResult } from '../core/jobs/classifyJob';
import { classifyCsv, csvColumnsOf } from '../core/report/classifyCsv';
import { classifyReport, reportStamp, summarise, type ClassifySummary } from '../core/report/classifyReport';
import { loadActiveModel } from './loadActiveModel';
import type { OutputLog } from './outputLog';

export interface BatchResult {
  readonly kind: 'batch';
  readonly csv: string;
  readonly json: string;
  readonly summary: ClassifySummary;
  readonly rows: readonly ClassifyResult[];
  /** Why the bundled model ran instead of a workspace one (restricted mode). */
  readonly notice?: string;
}

export const REPORT_FOLDER = 'scanlens-results';

/** Folders expand to the scans below them; files named directly are always tried. */
async function collect(targets: readonly vscode.Uri[], reportDir: string): Promise<{ files: string[]; skipped: number }> {
  const files: string[] = [];
  let skipped = 0;
  for (const target of targets) {
    const info = await stat(target.fsPath).catch(() => undefined);
    if (!info) throw new ScanLensError('no such file or folder', target.fsPath);
    if (!info.isDirectory()) {
      files.push(target.fsPath);
      continue;
    }
    const listing = await listScans(target.fsPath, (path) => path.startsWith(reportDir + sep));
    files.push(...listing.files);
    skipped += listing.skipped;
  }
  return { files: [...new Set(files)], skipped };
}

/**
 * Folders (or several selected items): a cancellable progress notification,
 * then a CSV and a JSON report written atomically to scanlens-results/.
 */
export async function classifyBatch(context: vscode.ExtensionContext, log: OutputLog, targets: readonly vscode.Uri[]): Promise<BatchResult> {
  const { model, notice } = await loadActiveModel(context, log);
  const first = targets[0]!;
  const root = vscode.workspace.getWorkspaceFolder(first)?.uri.fsPath ?? first.fsPath;
  const reportDir = join(root, REPORT_FOLDER);
  const what = targets.length === 1 ? vscode.workspace.asRelativePath(first, false) : `${targets.length} items`;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ScanLens: classifying ${what}`, cancellable: true }, async (progress, token) => {
    const { files, skipped } = await collect(targets, reportDir);
    if (files.length === 0) throw new ScanLensError(`no scans found (${skipped} other files skipped)`, what);
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    const inputs = await classifyInputs(files, DEFAULT_LIMITS, { sequences: model.manifest.input.sequences });
    const portable = (path: string): string => relative(root, path).split(sep).join('/');
    const rows: ClassifyResult[] = [];
    let failed = 0;
    try {
      // The CLI's job, so the report has the CLI's rows: images, volumes and each series on its own.
      for await (const row of classifyJob(model, inputs, { signal: controller.signal })) {
        // Paths relative to the workspace keep the report portable.
        rows.push({ ...row, file: portable(row.file), ...('files' in row && row.files ? { files: row.files.map(portable) } : {}) });
        if (rowError(row) !== undefined) failed++;
        progress.report({ increment: 100 / inputs.length, message: `${rows.length}/${inputs.length} inputs, ${failed} failed` });
      }
    } finally {
      cancel.dispose();
    }
    const summary = summarise(rows, skipped, controller.signal.aborted);
    const stamp = reportStamp(new Date());
    const csv = join(reportDir, `${stamp}.csv`);
    const json = join(reportDir, `${stamp}.json`);
    await writeFileAtomic(csv, classifyCsv(model.manifest.labels, rows, csvColumnsOf(model)));
    await writeFileAtomic(json, JSON.stringify(classifyReport(model, rows, summary), null, 2) + '\n');
    return { kind: 'batch' as const, csv, json, summary, rows, notice };
  });
  const { summary } = result;
  const report = vscode.workspace.asRelativePath(result.csv, false);
  const flagged = result.rows.filter((r) => ('peaks' in r ? r.peaks.some((p) => p.flag) : 'flag' in r && r.flag !== undefined));
  const text =
    `${summary.classified} of ${summary.files} inputs classified` +
    (summary.failed > 0 ? `, ${summary.failed} failed` : '') +
    (flagged.length > 0 ? `, ${flagged.length} flagged: ${OUT_OF_DISTRIBUTION}` : '') +
    (summary.cancelled ? ' (cancelled)' : '') +
    ` with ${model.manifest.name}; report ${report}`;
  log.line(`classify ${what}: ${text}`);
  const show = summary.failed > 0 || summary.cancelled || flagged.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`ScanLens: ${text}`, 'Open Report').then((choice) => {
    if (choice === 'Open Report') void vscode.window.showTextDocument(vscode.Uri.file(result.csv));
  });
  return result;
}
