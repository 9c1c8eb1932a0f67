import type * as vscode from 'vscode';
import { ToHostSchema, WEBVIEW_RESULT_SCHEMAS, type HostEvent, type HostRequest, type WebviewEvent, type WebviewRequest } from '../../protocol/viewerMessages';
import { WebviewChannel } from '../webviewChannel';

export type RequestHandler = (request: HostRequest) => Promise<unknown>;

/** The host's end of the viewer protocol (src/protocol/viewerMessages.ts). */
export class ViewerChannel extends WebviewChannel<HostRequest, WebviewEvent, WebviewRequest, HostEvent, typeof WEBVIEW_RESULT_SCHEMAS> {
  constructor(webview: vscode.Webview, handle: RequestHandler, onEvent: (event: WebviewEvent) => void, onInvalid: (reason: string) => void) {
    super(webview, { page: 'the viewer', fromPage: ToHostSchema, pageResults: WEBVIEW_RESULT_SCHEMAS }, handle, onEvent, onInvalid);
  }
}
