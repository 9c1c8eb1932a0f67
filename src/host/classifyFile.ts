import * as vscode from 'vscode';
import { classifyFiles, type ClassifyRow } from '../core/classify/classify';
import { modelGuard } from '../core/anomaly/modelGuard';
import { rowGuard } from '../core/classify/guardRows';
import { ScanLensError, oneLine } from '../core/errors';
import { IMAGE_TO_3D, classifyWholeScan } from '../core/jobs/classifyJob';
import { loadChannelsAt } from '../core/jobs/volumeChannels';
import { DEFAULT_LIMITS } from '../core/scan/limits';
import { isVolumeModel } from '../core/model/manifest';
import type { Scan } from '../core/scan/scan';
import { describeModel } from '../core/report/classifyReport';
import { topLine } from '../core/report/detailsMarkdown';
import { warningFor } from '../core/vocabulary/outOfDistribution';
import { openDetails } from './detailsDocument';
import { loadActiveModel } from './loadActiveModel';
import type { OutputLog } from './outputLog';

export interface FileResult {
  readonly kind: 'file';
  readonly row: ClassifyRow;
  readonly model: Record<string, unknown>;
  /** The notification text the user saw. */
  readonly message: string;
  /** Why the bundled model ran instead of a workspace one (restricted mode). */
  readonly notice?: string;
  /** The execution provider and thread count the model's session runs with. */
  readonly runtime: { readonly provider: string; readonly threads: number };
}

/**
 * One scan: top classes in a notification, with a "Details" action. With a
 * 3D model, `volume` (the volume the file or series folder holds) is
 * classified whole, as classifyJob does (a multi-sequence model reads the
 * file's or subject folder's sequences again, one per channel); without one
 * the row says why not.
 */
export async function classifyFile(context: vscode.ExtensionContext, log: OutputLog, uri: vscode.Uri, volume?: Scan): Promise<FileResult> {
  const { model, notice } = await loadActiveModel(context, log);
  const runtime = { provider: model.provider, threads: model.threads };
  const shown = vscode.workspace.asRelativePath(uri, false);
  let row: ClassifyRow | undefined;
  if (isVolumeModel(model.manifest)) {
    const { input } = model.manifest;
    // A multi-sequence model reads the file's 4D volumes, or the folder's subject, one scan per channel (as classify does).
    const whole = async (scan: Scan): Promise<ClassifyRow> => classifyWholeScan(model, input.channels > 1 ? await loadChannelsAt(uri.fsPath, input, DEFAULT_LIMITS) : scan, shown);
    row = volume ? await whole(volume).catch((error: unknown) => ({ file: shown, error: oneLine(error) })) : { file: shown, error: IMAGE_TO_3D };
  } else {
    const guard = rowGuard(await modelGuard(model));
    for await (const result of guard(classifyFiles(model, [uri.fsPath], { batchSize: 1, topK: 3 }))) row = { ...result, file: shown };
  }
  if (!row) throw new ScanLensError('no result', shown);
  const summary = describeModel(model);
  if (row.error !== undefined) {
    log.line(`classify ${shown}: error: ${row.error}`);
    void vscode.window.showErrorMessage(`ScanLens: ${row.error}`);
    return { kind: 'file', row, model: summary, message: row.error, notice, runtime };
  }
  // The flag goes into the text itself: a notification is all many users read.
  const warning = warningFor(row);
  const message = `${shown}: ${topLine(row)} (${model.manifest.name})${warning ? ` — ${warning}` : ''}`;
  log.line(`classify ${message}`);
  const done = row;
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(`ScanLens — ${message}`, 'Details').then((choice) => {
    if (choice === 'Details') void openDetails(done, summary);
  });
  return { kind: 'file', row, model: summary, message, notice, runtime };
}
