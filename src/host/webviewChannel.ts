import type * as vscode from 'vscode';
import type { z } from 'zod';
import { oneLine } from '../core/errors';

/** An answer to a request, under the request's id. */
type Response = { kind: 'response'; id: number; ok: true; result?: unknown } | { kind: 'response'; id: number; ok: false; error: string };

/** What a page may post: its requests, its events, and its answers to the host's requests. */
export type FromPage<Request, Event> = { kind: 'request'; id: number; request: Request } | { kind: 'event'; event: Event } | Response;

/** What the host may post to a page. */
export type ToPage<Request, Event> = { kind: 'request'; id: number; request: Request } | { kind: 'event'; event: Event } | Response;

/** One webview protocol as the host sees it: the schema of everything the page posts, and of the page's answer to each of the host's requests. */
export interface PageProtocol<HostRequest, PageEvent, PageRequest extends { type: string }, Results extends { readonly [K in PageRequest['type']]: z.ZodType }> {
  /** How messages name the page ("the viewer", "the results view"). */
  readonly page: string;
  readonly fromPage: z.ZodType<FromPage<HostRequest, PageEvent>>;
  readonly pageResults: Results;
}

/**
 * The host's end of a webview protocol: every incoming message is validated;
 * the page's requests go to the handler and are answered under their id
 * (errors as one line, never a stack); the host's own requests to the page
 * wait until it posts 'ready', or they would be lost, then for their answer,
 * validated against that request's result schema.
 */
export class WebviewChannel<HostRequest, PageEvent extends { type: string }, PageRequest extends { type: string }, HostEvent, Results extends { readonly [K in PageRequest['type']]: z.ZodType }>
  implements vscode.Disposable
{
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; type: PageRequest['type'] }>();
  private readonly subscription: vscode.Disposable;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    private readonly webview: vscode.Webview,
    private readonly protocol: PageProtocol<HostRequest, PageEvent, PageRequest, Results>,
    handle: (request: HostRequest) => Promise<unknown>,
    onEvent: (event: PageEvent) => void,
    onInvalid: (reason: string) => void,
  ) {
    this.subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const parsed = protocol.fromPage.safeParse(raw);
      if (!parsed.success) {
        onInvalid(`invalid message from ${protocol.page}: ${oneLine(parsed.error.issues[0]?.message ?? 'unknown')}`);
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

  private settle(message: Response): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    if (!message.ok) return waiting.reject(new Error(message.error));
    const result = (this.protocol.pageResults[waiting.type] as z.ZodType).safeParse(message.result);
    if (result.success) waiting.resolve(result.data);
    else waiting.reject(new Error(`invalid ${waiting.type} answer from ${this.protocol.page}`));
  }

  async post(message: ToPage<PageRequest, HostEvent>): Promise<void> {
    await this.webview.postMessage(message);
  }

  event(event: HostEvent): Promise<void> {
    return this.post({ kind: 'event', event });
  }

  request<T extends PageRequest['type']>(request: Extract<PageRequest, { type: T }>): Promise<z.infer<Results[T]>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, type: request.type });
      void this.ready.then(() => this.post({ kind: 'request', id, request })).then(undefined, reject);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const waiting of this.pending.values()) waiting.reject(new Error(`${this.protocol.page} was closed`));
    this.pending.clear();
  }
}
