import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { Image2D } from '../../core/image';
import { writeFileAtomic } from '../../core/io/atomicWrite';
import type { LoadedModel } from '../../core/model/loadModel';
import { explanationPng } from '../../core/render/explanationOverlay';
import { sliceImage, type Scan } from '../../core/scan/scan';
import { SCANLENS_VERSION } from '../../core/version';
import type { Axis, ExportResult, OverlayOptions, ViewerWindow } from '../../protocol/viewerMessages';
import { REPORT_FOLDER } from '../classifyBatch';
import { sliceGuard } from './sliceGuard';
import { classifySlice, explainSlice } from './viewerInference';

/** A slice through a display window, to [0,1]; RGB keeps its channels. */
export function windowed(image: Image2D, window: ViewerWindow): Image2D {
  const low = window.center - window.width / 2;
  const width = Math.max(window.width, Number.EPSILON);
  return { ...image, data: Float32Array.from(image.data, (v) => Math.min(1, Math.max(0, (v - low) / width))) };
}

/** scanlens-results/ of the file's workspace folder, else the file's own folder. */
function reportFolder(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  return folder ? join(folder.uri.fsPath, REPORT_FOLDER) : dirname(file.fsPath);
}

export interface ExportRequest {
  readonly file: vscode.Uri;
  readonly scan: Scan;
  readonly axis: Axis;
  readonly index: number;
  readonly window: ViewerWindow;
  readonly overlay: OverlayOptions;
}

/** The slice as shown (window, overlay) as PNG, and the results as JSON, each written atomically. */
export async function exportReport(model: LoadedModel, request: ExportRequest): Promise<ExportResult> {
  const { scan, index, overlay } = request;
  const guard = await sliceGuard(model);
  const [classified, explanation] = await Promise.all([classifySlice(model, scan, index, guard), explainSlice(model, scan, index, overlay)]);
  const base = windowed(sliceImage(scan, index), request.window);
  const png = explanationPng(base, explanation.map, overlay.colormap, overlay.opacity);
  const stem = join(reportFolder(request.file), `${basename(request.file.fsPath).replace(/\.(nii\.gz|[^.]+)$/i, '')}-${request.axis}-${index}`);
  const report = {
    scanlens: { version: SCANLENS_VERSION },
    file: request.file.fsPath,
    model: { name: model.manifest.name, version: model.manifest.version, sha256: model.sha256 },
    view: { axis: request.axis, slice: index, window: request.window },
    labels: classified.labels,
    probabilities: classified.probabilities,
    // The guard's verdict; undefined, and so not written, for a model without a guard.
    anomalyScore: classified.anomalyScore,
    anomalyThreshold: classified.anomalyThreshold,
    flag: classified.flag,
    explanation: {
      method: explanation.method,
      class: { index: explanation.classIndex, label: model.manifest.labels[explanation.classIndex] },
      layer: explanation.layer?.tensor ?? null,
      colormap: overlay.colormap,
      opacity: overlay.opacity,
    },
    image: `${basename(stem)}.png`,
  };
  await writeFileAtomic(`${stem}.png`, png);
  await writeFileAtomic(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  return { png: `${stem}.png`, json: `${stem}.json` };
}
