import type { z } from 'zod';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The page's one handle on VS Code: acquireVsCodeApi may be called once per page. */
export const vscode = acquireVsCodeApi();

type Response = { kind: 'response'; id: number; ok: true; result?: unknown } | { kind: 'response'; id: number; ok: false; error: string };

/** What the host may post to a page: its requests, its events, and its answers to the page's requests. */
export type FromHost<Request, Event> = { kind: 'request'; id: number; request: Request } | { kind: 'event'; event: Event } | Response;

/** One webview protocol as a page sees it: the schema of everything the host posts, and of the host's answer to each of the page's requests. */
export interface HostProtocol<HostRequest extends { type: string }, PageRequest, HostEvent, Results extends { readonly [K in HostRequest['type']]: z.ZodType }> {
  readonly fromHost: z.ZodType<FromHost<PageRequest, HostEvent>>;
  readonly hostResults: Results;
}

/**
 * A page's end of a webview protocol: requests to the host by id, answers
 * validated against the request's result schema; the host's own requests
 * (tests reading and driving the page) go to `onRequest`, its events to `onEvent`.
 */
export class PageChannel<HostRequest extends { type: string }, PageEvent, PageRequest, HostEvent, Results extends { readonly [K in HostRequest['type']]: z.ZodType }> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; type: HostRequest['type'] }>();

  constructor(
    private readonly protocol: HostProtocol<HostRequest, PageRequest, HostEvent, Results>,
    private readonly onRequest: (request: PageRequest) => Promise<unknown>,
    private readonly onEvent: (event: HostEvent) => void,
    private readonly onInvalid: (reason: string) => void,
  ) {
    window.addEventListener('message', (message: MessageEvent<unknown>) => void this.receive(message.data));
  }

  request<T extends HostRequest['type']>(request: Extract<HostRequest, { type: T }>): Promise<z.infer<Results[T]>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, type: request.type });
      vscode.postMessage({ kind: 'request', id, request });
    });
  }

  event(event: PageEvent): void {
    vscode.postMessage({ kind: 'event', event });
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = this.protocol.fromHost.safeParse(raw);
    if (!parsed.success) return this.onInvalid(`invalid message from the host: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const message = parsed.data;
    if (message.kind === 'event') return this.onEvent(message.event);
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
    const result = (this.protocol.hostResults[waiting.type] as z.ZodType).safeParse(message.result);
    if (result.success) waiting.resolve(result.data);
    else waiting.reject(new Error(`invalid ${waiting.type} answer from the host`));
  }
}
