import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ScanLensError } from '../errors';

/**
 * Gunzips only the bytes [from, to) of a gzip stream's output, streaming:
 * bytes before `from` are dropped as they come and inflation stops at `to`,
 * so a gzip bomb costs at most `to` bytes of work and `to - from` of memory.
 * Returns fewer bytes than asked when the stream ends early.
 */
export async function inflateRange(gzip: Uint8Array, from: number, to: number): Promise<Buffer> {
  const out = Buffer.alloc(to - from);
  let position = 0;
  let filled = 0;
  const source = Readable.from([gzip]).pipe(createGunzip({ chunkSize: 64 * 1024 }));
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const start = Math.max(from - position, 0);
      const end = Math.min(chunk.length, to - position);
      if (end > start) {
        chunk.copy(out, position + start - from, start, end);
        filled = position + end - from;
      }
      position += chunk.length;
      if (position >= to) break;
    }
  } catch (error) {
    // A truncated stream still yields what arrived; the caller checks the length.
    if (filled < to - from) throw new ScanLensError(`gzip data is damaged (${(error as Error).message})`);
  } finally {
    source.destroy();
  }
  return out.subarray(0, filled);
}

export function isGzip(buffer: Uint8Array): boolean {
  return buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}
