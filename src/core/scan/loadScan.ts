import { open } from 'node:fs/promises';
import { ScanLensError, aboutFile } from '../errors';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits';
import { decodeRaster } from './rasterDecoder';
import type { Scan } from './scan';
import { SNIFF_BYTES, sniffFormat } from './sniff';

async function readLimited(path: string, limits: DecodeLimits): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : String(code ?? error);
    throw new ScanLensError(reason, path);
  }
  try {
    const { size } = await handle.stat();
    if (!(await handle.stat()).isFile()) throw new ScanLensError('not a regular file', path);
    if (size > limits.maxFileBytes) {
      throw new ScanLensError(`file is ${size} bytes, over the limit of ${limits.maxFileBytes}`, path);
    }
    if (size === 0) throw new ScanLensError('file is empty', path);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Reads, recognises and decodes one scan file. Errors name the file and say why. */
export async function loadScan(path: string, limits: DecodeLimits = DEFAULT_LIMITS): Promise<Scan> {
  try {
    const buffer = await readLimited(path, limits);
    const format = sniffFormat(buffer.subarray(0, SNIFF_BYTES));
    if (!format) throw new ScanLensError('not a recognised scan format (PNG, JPEG, TIFF or WebP)', path);
    return await decodeRaster(buffer, path, format, limits);
  } catch (error) {
    throw aboutFile(path, error);
  }
}
