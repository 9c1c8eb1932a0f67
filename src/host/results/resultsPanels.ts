import { basename } from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../../core/errors';
import { loadActiveModel } from '../loadActiveModel';
import type { OutputLog } from '../outputLog';
import type { HostRequest, ResultsView, WebviewEvent, WebviewRequest, WebviewResult } from '../../protocol/resultsMessages';
import { exportSelection } from './exportSelection';
import { openInViewer } from './openInViewer';
import { readResultFile, type ResultFile } from './resultFile';
import { ResultsChannel } from './resultsChannel';
import { resultsHtml } from './resultsHtml';
import { classifiedFolder, resultsView } from './resultsView';
import { exportHtmlReport } from './exportHtmlReport';
import { ThumbnailCache } from './thumbnailCache';
import { RESULTS_VIEW_TYPE } from './registerResults';

/** What one panel shows: the result, its entries and audit, the folder audited, its thumbnails. */
interface Shown {
  readonly result: ResultFile;
  readonly view: ResultsView;
  readonly folder: string | undefined;
  readonly thumbnails: ThumbnailCache;
}

interface OpenResults {
  readonly panel: vscode.WebviewPanel;
  readonly channel: ResultsChannel;
}

export interface OpenOptions {
  /** What relative paths in the result are relative to: the workspace folder a folder classification wrote it in. */
  readonly base?: string;
  /** The folder that was classified, whose class sub-folders or labels.csv give the audit; else the deepest folder holding every scan. */
  readonly folder?: string;
}

/**
 * The results views: one webview panel per result file, showing its rows as
 * a grid and a table (and, for a labelled folder, the audit). The page asks
 * for thumbnails as they scroll into view; they are made by the core and cached
 * under the extension's global storage.
 */
export class ResultsPanels {
  private readonly open = new Map<string, OpenResults>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: OutputLog,
  ) {}

  /** Opens `path` in a new panel, or in `restored`, the panel VS Code brings back after a reload. */
  async show(path: string, options: OpenOptions = {}, restored?: vscode.WebviewPanel): Promise<{ entries: number; audit: boolean }> {
    const started = performance.now();
    const base = options.base ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path))?.uri.fsPath;
    const result = await readResultFile(path, base);
    const folder = options.folder ?? classifiedFolder(result);
    // The webview starts loading while the rows and audit are made: in code-server its start is most of the wait.
    const thumbnails = await ThumbnailCache.for(this.context.globalStorageUri.fsPath, path, async () => (await loadActiveModel(this.context, this.log)).model.manifest.input.intensity);
    this.open.get(path)?.panel.dispose();
    const webviewOptions = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'), vscode.Uri.file(thumbnails.folder)] };
    const panel = restored ?? vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, `Results: ${basename(path)}`, vscode.ViewColumn.Active, { ...webviewOptions, retainContextWhenHidden: true });
    if (restored) panel.webview.options = webviewOptions;
    // Made after the page's HTML is on its way (the next turn of the event loop); the page's first request waits for it.
    const shown: Promise<Shown> = new Promise((resolve) => setImmediate(resolve)).then(async () => ({
      result,
      view: await resultsView(result, basename(path), vscode.workspace.asRelativePath(path, false), folder, base),
      folder,
      thumbnails,
    }));
    const channel = new ResultsChannel(
      panel.webview,
      async (request) => this.handle(panel.webview, await shown, request),
      (event) => this.onEvent(path, event, started),
      (reason) => this.log.line(`results: ${reason}`),
    );
    this.open.set(path, { panel, channel });
    panel.onDidDispose(() => {
      channel.dispose();
      if (this.open.get(path)?.panel === panel) this.open.delete(path);
    });
    panel.webview.html = resultsHtml(panel.webview, this.context.extensionUri, basename(path));
    let view: ResultsView;
    try {
      ({ view } = await shown);
    } catch (error) {
      panel.dispose();
      throw error;
    }
    return { entries: view.entries.length, audit: view.audit !== undefined && !('none' in view.audit) };
  }

  /** Sends a request to the open view of `path` (or the only one); the real-host tests read and drive the page this way. */
  query(path: string | undefined, request: WebviewRequest): Promise<WebviewResult<WebviewRequest['type']>> {
    const target = path ? this.open.get(path) : this.open.size === 1 ? [...this.open.values()][0] : undefined;
    if (!target) return Promise.reject(new Error(path ? `no results view is open for ${path}` : `${this.open.size} results views are open; name one`));
    return target.channel.request(request);
  }

  private onEvent(path: string, event: WebviewEvent, started: number): void {
    if (event.type === 'painted') this.log.line(`results: ${basename(path)} shows ${event.entries} rows, first paint ${(performance.now() - started).toFixed(0)} ms after opening`);
  }

  private async handle(webview: vscode.Webview, shown: Shown, request: HostRequest): Promise<unknown> {
    const { result, view, folder, thumbnails } = shown;
    const row = (index: number) => {
      const found = result.resolved[index];
      if (!found) throw new Error(`row ${index} is outside 0…${result.resolved.length - 1}`);
      return found;
    };
    switch (request.type) {
      case 'load':
        return view;
      case 'thumbnail': {
        const source = row(request.index);
        if ('error' in source) return { error: 'no picture: the scan was not classified' };
        const entry = view.entries[request.index]!;
        try {
          const file = await thumbnails.file(request.index, { file: source.file, kind: source.kind, ...('files' in source ? { files: source.files } : {}), slice: entry.slice });
          return { src: webview.asWebviewUri(vscode.Uri.file(file)).toString() };
        } catch (error) {
          return { error: `no picture: ${oneLine(error)}` };
        }
      }
      case 'open':
        return { file: await openInViewer(row(request.index)) };
      case 'export': {
        const written = await exportSelection(result, request.indices, request.format);
        const what = written.rows === 1 ? '1 row' : `${written.rows} rows`;
        this.log.line(`results: ${what} written to ${written.path}`);
        void vscode.window.showInformationMessage(`ScanLens: ${what} written to ${vscode.workspace.asRelativePath(written.path, false)}`, 'Open').then((choice) => {
          if (choice === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(written.path));
        });
        return written;
      }
      case 'report': {
        const { model } = await loadActiveModel(this.context, this.log);
        const written = await exportHtmlReport(result, model, folder);
        this.log.line(`results: report of ${written.rows} rows written to ${written.path}`);
        void vscode.window.showInformationMessage(`ScanLens: report written to ${vscode.workspace.asRelativePath(written.path, false)}`, 'Reveal').then((choice) => {
          if (choice === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(written.path));
        });
        return written;
      }
      case 'copyPaths': {
        const paths = request.indices.map((i) => row(i).file);
        await vscode.env.clipboard.writeText(paths.join('\n'));
        return { count: paths.length };
      }
    }
  }
}
