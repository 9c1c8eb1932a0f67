import { HOST_RESULT_SCHEMAS, ToWebviewSchema, type HostRequest, type HostResult, type ToHost, type WebviewEvent, type WebviewRequest } from '../../protocol/resultsMessages';

interface VsCodeApi {
  postMessage(message: ToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; type: HostRequest['type'] };

/**
 * The page's end of the results-view protocol: requests to the host by id,
 * answers validated against the request's result schema; the host's own
 * requests (tests reading and driving the page) go to `onRequest`.
 */
export class ResultsHostChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly onRequest: (request: WebviewRequest) => Promise<unknown>,
    private readonly onInvalid: (reason: string) => void,
  ) {
    window.addEventListener('message', (message: MessageEvent<unknown>) => void this.receive(message.data));
  }

  request<T extends HostRequest['type']>(request: Extract<HostRequest, { type: T }>): Promise<HostResult<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, type: request.type });
      vscode.postMessage({ kind: 'request', id, request });
    });
  }

  event(event: WebviewEvent): void {
    vscode.postMessage({ kind: 'event', event });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = ToWebviewSchema.safeParse(raw);
    if (!parsed.success) return this.onInvalid(`invalid message from the host: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const message = parsed.data;
    if (message.kind === 'request') {
      try {
        vscode.postMessage({ kind: 'response', id: message.id, ok: true, result: await this.onRequest(message.request) });
      } catch (error) {
        vscode.postMessage({ kind: 'response', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (!message.ok) return waiting.reject(new Error(message.error));
    const result = HOST_RESULT_SCHEMAS[waiting.type].safeParse(message.result);
    if (result.success) waiting.resolve(result.data);
    else waiting.reject(new Error(`invalid ${waiting.type} answer from the host`));
  }
}
