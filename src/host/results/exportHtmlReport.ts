import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { ScanLensError } from '../../core/errors';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import type { LoadedModel } from '../../core/model/loadModel';
import { summarise } from '../../core/report/classifyReport';
import { folderLabels } from '../../core/report/html/labelledAudit';
import { htmlReportJob } from '../../core/report/html/reportJob';
import type { ResultFile } from './resultFile';

/**
 * Export Report: the result as the self-contained HTML page `scanlens
 * classify --report` writes (the same core job: model card and provenance,
 * a thumbnail per row, for a labelled folder the audit), beside the result,
 * under a cancellable progress notification. Only the model that made the
 * result may describe it: another active model is refused by name.
 */
export async function exportHtmlReport(result: ResultFile, model: LoadedModel, folder: string | undefined): Promise<{ path: string; rows: number; bytes: number }> {
  if (result.model.sha256 !== undefined && result.model.sha256 !== model.sha256) {
    throw new ScanLensError(`made by model ${result.model.name}, not the active model ${model.manifest.name}: select that model to export its report`, basename(result.path));
  }
  const path = join(dirname(result.path), `${basename(result.path, extname(result.path))}.html`);
  const labels = folder ? await folderLabels(folder, model.manifest.labels) : undefined;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ScanLens: report of ${basename(result.path)}`, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    let shown = 0;
    try {
      // The rows with absolute paths: the report reads every scan again for its thumbnail; it names them as the result does.
      const html = htmlReportJob(model, result.resolved, summarise(result.resolved, 0, false), {
        labels,
        shownFiles: result.rows.map((row) => row.file),
        command: `ScanLens: Export Report (${basename(result.path)})`,
        signal: controller.signal,
        onProgress: (done, total) => {
          progress.report({ increment: ((done - shown) / total) * 100, message: `${done}/${total} rows` });
          shown = done;
        },
      });
      await writeFileAtomic(path, html);
    } finally {
      cancel.dispose();
    }
  });
  return { path, rows: result.rows.length, bytes: (await stat(path)).size };
}
