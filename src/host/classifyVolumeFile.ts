import * as vscode from 'vscode';
import { modelGuard } from '../core/anomaly/modelGuard';
import { classifyVolume, type VolumeRow } from '../core/classify/classifyVolume';
import { describeModel } from '../core/report/classifyReport';
import { peakLine, volumeDetailsMarkdown, volumeWarning } from '../core/report/detailsMarkdown';
import type { Scan } from '../core/scan/scan';
import { isVolumeModel } from '../core/model/manifest';
import { classifyFile, type FileResult } from './classifyFile';
import { loadActiveModel } from './loadActiveModel';
import type { OutputLog } from './outputLog';

export interface VolumeResult {
  readonly kind: 'volume';
  readonly row: VolumeRow;
  readonly model: Record<string, unknown>;
  /** The notification text the user saw. */
  readonly message: string;
  /** True when the user stopped it; the row then holds the slices classified so far. */
  readonly cancelled: boolean;
  /** Why the bundled model ran instead of a workspace one (restricted mode). */
  readonly notice?: string;
}

/**
 * One volume (a NIfTI file, a multi-frame DICOM, a DICOM series folder): every
 * axial slice is classified, since a volume's first slice says little about it,
 * and the notification names each class's peak slice, with a "Details" action.
 * A guarded model's verdict on each peak slice turns it into a warning when
 * any is flagged, as for a single scan. A 3D model gives the volume one row (classifyFile).
 */
export async function classifyVolumeFile(context: vscode.ExtensionContext, log: OutputLog, uri: vscode.Uri, scan: Scan): Promise<VolumeResult | FileResult> {
  const { model, notice } = await loadActiveModel(context, log);
  // A 3D model classifies the volume whole: one row, as scanlens classify gives it.
  if (isVolumeModel(model.manifest)) return classifyFile(context, log, uri, scan);
  const shown = vscode.workspace.asRelativePath(uri, false);
  // Before any slice, so a missing detector fails at once.
  const guard = await modelGuard(model);
  // Outside the progress callback: whether the user stopped it decides the message.
  const abort = new AbortController();
  const classified = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ScanLens: ${shown}`, cancellable: true }, async (progress, token) => {
    const stop = token.onCancellationRequested(() => abort.abort());
    let reported = 0;
    try {
      return await classifyVolume(model, scan, 'axial', {
        signal: abort.signal,
        guard,
        onProgress: (done, total) => {
          progress.report({ message: `slice ${done} of ${total}`, increment: (100 * (done - reported)) / total });
          reported = done;
        },
      });
    } finally {
      stop.dispose();
    }
  });
  const row: VolumeRow = { ...classified, file: shown };
  const cancelled = abort.signal.aborted;
  const summary = describeModel(model);
  // The flag goes into the text itself: a notification is all many users read. A cancelled run shows no peaks to qualify.
  const warning = cancelled ? undefined : volumeWarning(row);
  const message = cancelled ? `${shown}: cancelled after ${row.slices.length} slices` : `${shown}: ${peakLine(row)} (${model.manifest.name})${warning ? ` — ${warning}` : ''}`;
  log.line(`classify ${message}`);
  const show = warning ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  if (cancelled) void vscode.window.showInformationMessage(`ScanLens — ${message}`);
  else
    void show(`ScanLens — ${message}`, 'Details').then(async (choice) => {
      if (choice !== 'Details') return;
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: volumeDetailsMarkdown(row, summary) });
      await vscode.window.showTextDocument(document, { preview: true });
    });
  return { kind: 'volume', row, model: summary, message, cancelled, notice };
}
