import { Readable } from 'node:stream';
import { createGunzip, createInflateRaw } from 'node:zlib';
import { ScanLensError } from '../errors';

/**
 * Inflates only the bytes [from, to) of a gzip (or raw deflate) stream's
 * output, streaming: bytes before `from` are dropped as they come and
 * inflation stops at `to`, so a bomb costs at most `to` bytes of work and
 * `to - from` of memory. Returns fewer bytes than asked when the stream ends early.
 */
export async function inflateRange(compressed: Uint8Array, from: number, to: number, format: 'gzip' | 'raw' = 'gzip'): Promise<Buffer> {
  const out = Buffer.alloc(to - from);
  let position = 0;
  let filled = 0;
  const inflater = format === 'gzip' ? createGunzip({ chunkSize: 64 * 1024 }) : createInflateRaw({ chunkSize: 64 * 1024 });
  const source = Readable.from([compressed]).pipe(inflater);
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
    if (filled < to - from) throw new ScanLensError(`${format === 'gzip' ? 'gzip' : 'deflated'} data is damaged (${(error as Error).message})`);
  } finally {
    source.destroy();
  }
  return out.subarray(0, filled);
}

export function isGzip(buffer: Uint8Array): boolean {
  return buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}
