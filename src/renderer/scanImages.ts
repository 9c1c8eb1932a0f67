import type { RendererContext } from 'vscode-notebook-renderer';
import { ScanImageReplySchema, type ScanImageRequest } from '../protocol/rendererMessages';

/**
 * Asks the host for the picture of a scan. Where no host answers (another
 * viewer, or messaging unavailable) the promise stays pending or resolves to
 * undefined, and the map is shown on its own.
 */
export function scanImages(context: RendererContext<unknown>): (file: string) => Promise<string | undefined> {
  const pending = new Map<number, (image: string | undefined) => void>();
  let nextId = 0;
  context.onDidReceiveMessage?.((message) => {
    const reply = ScanImageReplySchema.safeParse(message);
    if (!reply.success) return;
    const resolve = pending.get(reply.data.requestId);
    pending.delete(reply.data.requestId);
    resolve?.('image' in reply.data ? reply.data.image : undefined);
  });
  return (file) => {
    if (!context.postMessage) return Promise.resolve(undefined);
    const requestId = nextId++;
    const request: ScanImageRequest = { type: 'scanImage', requestId, file };
    const answer = new Promise<string | undefined>((resolve) => pending.set(requestId, resolve));
    context.postMessage(request);
    return answer;
  };
}
