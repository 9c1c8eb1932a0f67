import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RunControl } from '../../core/explain/perturbations';
import { modelGuard } from '../../core/anomaly/modelGuard';
import { hasGuard, type OodGuard } from '../../core/anomaly/oodGuard';
import { ScanLensError, oneLine } from '../../core/errors';
import { CAM_REGISTRY } from '../../core/explain/methods/registry';
import { REPORT_FOLDER } from '../classifyBatch';
import { loadActiveModel, type ModelInUse } from '../loadActiveModel';
import { MODEL_SETTING } from '../activeModel';
import { PROVIDER_SETTING, THREADS_SETTING } from '../inferenceSettings';
import type { OutputLog } from '../outputLog';
import type { AnomalyMapResult, Axis, ExplainChoice, ExplainResult, HostRequest, WebviewEvent, WebviewRequest, WebviewResult } from '../../protocol/viewerMessages';
import { anomalyMapResult } from './anomalyOverlay';
import { exportReport } from './exportReport';
import { markOpening } from './openingMarks';
import { SliceExplanations } from './sliceExplanation';
import { ViewerChannel } from './viewerChannel';
import { ViewerDocument } from './viewerDocument';
import { viewerHtml } from './viewerHtml';
import { classifySlice, explainResult, sliceProfile } from './viewerInference';
import { SliceScorecards } from './sliceScorecard';
import { DETECTOR_AXIS, VolumeAnomalies } from './volumeAnomaly';
import { VolumeResults } from './volumeInference';
import { isVolumeModel } from '../../core/model/manifest';

/**
 * "ScanLens Viewer": the scan is decoded once per document in the host;
 * each editor's webview asks for slices and results over a ViewerChannel.
 * No retainContextWhenHidden: the page keeps its view in getState/setState;
 * VS Code reloads it when its tab is shown again (and after a window reload
 * resolves a new editor), and it picks up where it was.
 */
export class ViewerProvider implements vscode.CustomReadonlyEditorProvider<ViewerDocument> {
  private readonly channels = new Map<string, Set<ViewerChannel>>();
  /** When each document began to open, for the first-paint log line. */
  private readonly openedAt = new WeakMap<ViewerDocument, number>();
  private readonly firstPaintLogged = new WeakSet<ViewerDocument>();
  /** Each document's explanations, per model, axis, slice, method and class: the overlay, its re-showing and Export Report share one run. */
  private readonly explanations = new SliceExplanations();
  /** Each document's scorecards, kept likewise: Export Report writes the one on screen. */
  private readonly scorecards = new SliceScorecards();
  /** A 3D model's whole-volume probabilities and explanations, per model and document. */
  private readonly volumes = new VolumeResults();
  /** A detector's 3D map of a volume, per guard and document: every axis is cut from it. */
  private readonly anomalies = new VolumeAnomalies();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ViewerDocument> {
    const started = performance.now();
    markOpening('open', uri);
    const document = await ViewerDocument.open(uri);
    markOpening('decoded', uri);
    this.openedAt.set(document, started);
    this.log.line(`viewer: decoded ${basename(uri.fsPath)} (${document.scan.shape.join('×')}) in ${(performance.now() - started).toFixed(0)} ms`);
    return document;
  }

  async resolveCustomEditor(document: ViewerDocument, panel: vscode.WebviewPanel): Promise<void> {
    if (!this.firstPaintLogged.has(document)) markOpening('resolve', document.uri);
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')] };
    const key = document.uri.toString();
    const channel = new ViewerChannel(
      webview,
      (request) => this.handle(document, request),
      (event) => this.onEvent(document, event, this.openedAt.get(document) ?? performance.now()),
      (reason) => this.log.line(`viewer: ${reason}`),
    );
    const set = this.channels.get(key) ?? new Set();
    set.add(channel);
    this.channels.set(key, set);
    const settings = vscode.workspace.onDidChangeConfiguration((change) => {
      if ([MODEL_SETTING, PROVIDER_SETTING, THREADS_SETTING].some((name) => change.affectsConfiguration(name))) void channel.event({ type: 'modelChanged' });
    });
    panel.onDidDispose(() => {
      settings.dispose();
      channel.dispose();
      set.delete(channel);
      if (set.size === 0) this.channels.delete(key);
    });
    webview.html = viewerHtml(webview, this.context.extensionUri, basename(document.uri.fsPath));
  }

  /** Sends a request to the (first) open viewer of `uri`; the real-host tests read the rendered state this way. */
  query(uri: vscode.Uri, request: WebviewRequest): Promise<WebviewResult<WebviewRequest['type']>> {
    const channel = [...(this.channels.get(uri.toString()) ?? [])][0];
    if (!channel) return Promise.reject(new Error(`no ScanLens viewer is open for ${uri.fsPath}`));
    return channel.request(request);
  }

  private onEvent(document: ViewerDocument, event: WebviewEvent, openedAt: number): void {
    const first = !this.firstPaintLogged.has(document);
    if (event.type === 'ready' && first) markOpening('ready', document.uri);
    if (event.type !== 'painted') return;
    const name = basename(document.uri.fsPath);
    if (first) {
      markOpening('painted', document.uri);
      this.firstPaintLogged.add(document);
      this.log.line(`viewer: ${name} first paint ${(performance.now() - openedAt).toFixed(0)} ms after opening`);
    } else this.log.line(`viewer: ${name} ${event.axis} slice ${event.slice} drawn in ${event.ms.toFixed(1)} ms`);
  }

  private async model(): Promise<ModelInUse> {
    return loadActiveModel(this.context, this.log);
  }

  /** A 3D model's explanation of the slice when its volume map is already made; nothing (the page asks for it after) otherwise, or when the model cannot load. */
  private async madeVolumeCut(document: ViewerDocument, axis: Axis, index: number, choice: ExplainChoice): Promise<ExplainResult | undefined> {
    const loaded = await this.model().catch(() => undefined);
    return loaded && isVolumeModel(loaded.model.manifest) ? this.volumes.madeCut(loaded.model, document.scan, axis, index, choice) : undefined;
  }

  private async handle(document: ViewerDocument, request: HostRequest): Promise<unknown> {
    switch (request.type) {
      case 'info': {
        const info = document.info(basename(document.uri.fsPath));
        this.markFirst('info', document);
        return info;
      }
      case 'model':
        try {
          const { model, notice } = await this.model();
          return { model: { name: model.manifest.name, labels: [...model.manifest.labels], ...(notice ? { notice } : {}), detector: hasGuard(model), volume: isVolumeModel(model.manifest) } };
        } catch (error) {
          return { modelError: oneLine(error) };
        }
      case 'slice': {
        const index = this.checked(document, request.axis, request.index);
        const slice = document.slice(request.axis, index);
        this.markFirst('slice', document);
        const explanation = request.overlay && (await this.madeVolumeCut(document, request.axis, index, request.overlay));
        return explanation ? { ...slice, explanation } : slice;
      }
      case 'classify': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        if (isVolumeModel(model.manifest)) return this.volumes.classify(model, document.scan);
        return classifySlice(model, document.along(request.axis), index, await modelGuard(model));
      }
      case 'explain': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        if (isVolumeModel(model.manifest)) {
          // The first request explains the volume (one run, or one per channel for AblationCAM); later slices are cut from it.
          const { needs } = CAM_REGISTRY[request.method];
          const explain = (control?: RunControl) => this.volumes.explain(model, document.scan, request.axis, index, request, control);
          if (this.volumes.has(model, document.scan, request)) return explain();
          return needs === 'gradients'
            ? vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ScanLens: 3D ${request.method}` }, () => explain())
            : withRunsProgress(`ScanLens: 3D ${request.method}`, explain);
        }
        const scan = document.along(request.axis);
        // One run of a derived model (six with aug_smooth): the status bar; else a notification with progress and Cancel.
        const { needs } = CAM_REGISTRY[request.method];
        if (needs === 'gradients' || needs === 'biasGradients') {
          return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ScanLens: ${request.method}` }, () => explainResult(this.explanations, model, scan, index, request));
        }
        // One run per channel or patch: a notification with the runs done and a Cancel button (the page then says the method was cancelled).
        return withRunsProgress(`ScanLens: ${request.method}`, (control) => explainResult(this.explanations, model, scan, index, request, control));
      }
      case 'score': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        if (isVolumeModel(model.manifest)) throw new ScanLensError(`the scorecard checks 2D explanations; ${model.manifest.name} is a 3D model`);
        const scan = document.along(request.axis);
        // Some 150 runs of the model on the demo: a notification with the runs done and a Cancel button, as a gradient-free explanation has.
        return withRunsProgress(`ScanLens: scorecard of ${request.method}`, (control) => this.scorecards.score(this.explanations, model, scan, index, request, control));
      }
      case 'anomalyMap': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        const guard = await modelGuard(model);
        if (!guard) throw new ScanLensError(`model ${model.manifest.name} names no anomaly detector, so it has no anomaly map`);
        if (document.isVolume) return this.volumeAnomaly(document, guard, request.axis, index);
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ScanLens: anomaly map' }, () => anomalyMapResult(guard, document.along(request.axis), index));
      }
      case 'profile': {
        const { model } = await this.model();
        if (isVolumeModel(model.manifest)) throw new ScanLensError(`${model.manifest.name} is a 3D model: it classifies the volume whole, so there is no per-slice profile`);
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ScanLens: slice profile' }, (progress) =>
          sliceProfile(model, document.scan, request.axis, (done, total) => progress.report({ message: `${done}/${total}` })),
        );
      }
      case 'export': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        if (isVolumeModel(model.manifest))
          throw new ScanLensError(`Export Report writes a 2D model's slice; for the 3D model ${model.manifest.name}, scanlens explain --out map.nii.gz or montage.png saves the map`);
        const { axis, window, overlay } = request;
        const written = await exportReport(model, {
          file: document.uri.fsPath,
          folder: reportFolder(document.uri),
          scan: document.along(axis),
          axis,
          index,
          window,
          overlay,
          explanations: this.explanations,
          scorecards: this.scorecards,
          ...(document.isVolume ? { volumeAnomaly: (guard: OodGuard) => this.volumeAnomaly(document, guard, axis, index) } : {}),
        });
        this.log.line(`viewer: report written to ${written.png} and ${written.json}`);
        return written;
      }
    }
  }

  /** A volume's anomaly overlay: the first request scores every slice along the detector's axis (progress in the status bar); later slices, on any axis, are cut from its map. */
  private async volumeAnomaly(document: ViewerDocument, guard: OodGuard, axis: Axis, index: number): Promise<AnomalyMapResult> {
    const cut = (onSlice?: (done: number, total: number) => void) => this.anomalies.result(guard, document.scan, axis, index, onSlice);
    if (this.anomalies.has(guard, document.scan)) return cut();
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ScanLens: anomaly map (${DETECTOR_AXIS} slices)` }, (progress) =>
      cut((done, total) => progress.report({ message: `${done}/${total}` })),
    );
  }

  /** Steps of a document's first showing only; later slices are logged as 'drawn in'. */
  private markFirst(step: 'info' | 'slice', document: ViewerDocument): void {
    if (!this.firstPaintLogged.has(document)) markOpening(step, document.uri);
  }

  private checked(document: ViewerDocument, axis: Axis, index: number): number {
    const depth = document.depth(axis);
    if (index >= depth) throw new Error(`slice ${index} is outside 0…${depth - 1}`);
    return index;
  }
}

/** scanlens-results/ of the file's workspace folder, else the file's own folder. */
function reportFolder(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  return folder ? join(folder.uri.fsPath, REPORT_FOLDER) : dirname(file.fsPath);
}

/** A run of many model runs under a notification counting them, with a Cancel button that aborts it between batches. */
function withRunsProgress<T>(title: string, run: (control: RunControl) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    let shown = 0;
    const onProgress = (done: number, total: number): void => {
      progress.report({ increment: ((done - shown) / total) * 100, message: `${done}/${total} runs` });
      shown = done;
    };
    try {
      return await run({ signal: abort.signal, onProgress });
    } finally {
      cancel.dispose();
    }
  });
}
