import * as vscode from 'vscode';
import { oneLine } from '../../core/errors';
import { ToHostSchema, WEBVIEW_RESULT_SCHEMAS, type HostRequest, type ToWebview, type WebviewEvent, type WebviewRequest, type WebviewResult } from '../../protocol/resultsMessages';

/**
 * The host's end of the results-view protocol, as ViewerChannel is the
 * viewer's: every incoming message is validated; requests go to the handler
 * and are answered under their id (errors as one line); the host's own
 * requests to the page wait until it has said it is ready.
 */
export class ResultsChannel implements vscode.Disposable {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; type: WebviewRequest['type'] }>();
  private readonly subscription: vscode.Disposable;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly webview: vscode.Webview,
    handle: (request: HostRequest) => Promise<unknown>,
    onEvent: (event: WebviewEvent) => void,
    onInvalid: (reason: string) => void,
  ) {
    this.subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const parsed = ToHostSchema.safeParse(raw);
      if (!parsed.success) {
        onInvalid(`invalid message from the results view: ${oneLine(parsed.error.issues[0]?.message ?? 'unknown')}`);
        return;
      }
      const message = parsed.data;
      if (message.kind === 'event') {
        if (message.event.type === 'ready') this.markReady();
        onEvent(message.event);
      } else if (message.kind === 'request') {
        try {
          await this.post({ kind: 'response', id: message.id, ok: true, result: await handle(message.request) });
        } catch (error) {
          await this.post({ kind: 'response', id: message.id, ok: false, error: oneLine(error) });
        }
      } else this.settle(message);
    });
  }

  private settle(message: Extract<ToWebview, { kind: 'response' }>): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (!message.ok) return waiting.reject(new Error(message.error));
    const result = WEBVIEW_RESULT_SCHEMAS[waiting.type].safeParse(message.result);
    if (result.success) waiting.resolve(result.data);
    else waiting.reject(new Error(`invalid ${waiting.type} answer from the results view`));
  }

  private async post(message: ToWebview): Promise<void> {
    await this.webview.postMessage(message);
  }

  request<T extends WebviewRequest['type']>(request: Extract<WebviewRequest, { type: T }>): Promise<WebviewResult<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, type: request.type });
      void this.ready.then(() => this.post({ kind: 'request', id, request })).then(undefined, reject);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const waiting of this.pending.values()) waiting.reject(new Error('the results view was closed'));
    this.pending.clear();
  }
}
