import { basename } from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../../core/errors';
import { loadActiveModel, type ModelInUse } from '../loadActiveModel';
import { MODEL_SETTING } from '../activeModel';
import { PROVIDER_SETTING, THREADS_SETTING } from '../inferenceSettings';
import type { OutputLog } from '../outputLog';
import type { Axis, HostRequest, WebviewEvent, WebviewRequest, WebviewResult } from '../../protocol/viewerMessages';
import { exportReport } from './exportReport';
import { ViewerChannel } from './viewerChannel';
import { ViewerDocument } from './viewerDocument';
import { viewerHtml } from './viewerHtml';
import { classifySlice, explainResult, sliceProfile } from './viewerInference';
import { sliceGuard } from './sliceGuard';

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

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ViewerDocument> {
    const started = performance.now();
    const document = await ViewerDocument.open(uri);
    this.openedAt.set(document, started);
    this.log.line(`viewer: decoded ${basename(uri.fsPath)} (${document.scan.shape.join('×')}) in ${(performance.now() - started).toFixed(0)} ms`);
    return document;
  }

  async resolveCustomEditor(document: ViewerDocument, panel: vscode.WebviewPanel): Promise<void> {
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
    if (event.type !== 'painted') return;
    const name = basename(document.uri.fsPath);
    if (!this.firstPaintLogged.has(document)) {
      this.firstPaintLogged.add(document);
      this.log.line(`viewer: ${name} first paint ${(performance.now() - openedAt).toFixed(0)} ms after opening`);
    } else this.log.line(`viewer: ${name} ${event.axis} slice ${event.slice} drawn in ${event.ms.toFixed(1)} ms`);
  }

  private async model(): Promise<ModelInUse> {
    return loadActiveModel(this.context, this.log);
  }

  private async handle(document: ViewerDocument, request: HostRequest): Promise<unknown> {
    switch (request.type) {
      case 'info': {
        const info = document.info(basename(document.uri.fsPath));
        try {
          const { model, notice } = await this.model();
          return { ...info, model: { name: model.manifest.name, labels: [...model.manifest.labels], ...(notice ? { notice } : {}) } };
        } catch (error) {
          return { ...info, modelError: oneLine(error) };
        }
      }
      case 'slice':
        return document.slice(request.axis, this.checked(document, request.axis, request.index));
      case 'classify': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        return classifySlice(model, document.along(request.axis), index, await sliceGuard(model));
      }
      case 'explain': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `ScanLens: ${request.overlay.method}` }, () =>
          explainResult(model, document.along(request.axis), index, request.overlay),
        );
      }
      case 'profile': {
        const { model } = await this.model();
        return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'ScanLens: slice profile' }, (progress) =>
          sliceProfile(model, document.scan, request.axis, (done, total) => progress.report({ message: `${done}/${total}` })),
        );
      }
      case 'export': {
        const index = this.checked(document, request.axis, request.index);
        const { model } = await this.model();
        const written = await exportReport(model, { file: document.uri, scan: document.along(request.axis), axis: request.axis, index, window: request.window, overlay: request.overlay });
        this.log.line(`viewer: report written to ${written.png} and ${written.json}`);
        return written;
      }
    }
  }

  private checked(document: ViewerDocument, axis: Axis, index: number): number {
    const depth = document.along(axis).shape[0];
    if (index >= depth) throw new Error(`slice ${index} is outside 0…${depth - 1}`);
    return index;
  }
}
