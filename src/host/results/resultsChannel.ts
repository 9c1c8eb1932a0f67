import type * as vscode from 'vscode';
import { ToHostSchema, WEBVIEW_RESULT_SCHEMAS, type HostRequest, type WebviewEvent, type WebviewRequest } from '../../protocol/resultsMessages';
import { WebviewChannel } from '../webviewChannel';

/** The host's end of the results-view protocol (src/protocol/resultsMessages.ts); the host sends the page no events. */
export class ResultsChannel extends WebviewChannel<HostRequest, WebviewEvent, WebviewRequest, never, typeof WEBVIEW_RESULT_SCHEMAS> {
  constructor(webview: vscode.Webview, handle: (request: HostRequest) => Promise<unknown>, onEvent: (event: WebviewEvent) => void, onInvalid: (reason: string) => void) {
    super(webview, { page: 'the results view', fromPage: ToHostSchema, pageResults: WEBVIEW_RESULT_SCHEMAS }, handle, onEvent, onInvalid);
  }
}
