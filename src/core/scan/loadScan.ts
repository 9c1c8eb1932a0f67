import { closeSync, readFileSync, type Stats } from 'node:fs';
import { ScanLensError, aboutFile } from '../errors';
import { openRegular, openRegularSync } from '../io/regularFile';
import type { PrivacyOptions } from '../privacy/redact';
import { decodeIsolated } from './decodeIsolated';
import { inflateRange, isGzip } from './inflateRange';
import { DEFAULT_LIMITS, type DecodeLimits } from './limits';
import { decodePlainPng } from './pngDecoder';
import { decodeRaster } from './rasterDecoder';
import type { Scan, ScanFormat } from './scan';
import { SNIFF_BYTES, sniffFormat } from './sniff';

export interface LoadOptions extends PrivacyOptions {
  /** Which volume of a 4D NIfTI to load (0 by default). */
  readonly volume?: number;
  /**
   * Read the file with blocking calls: for threads with nothing else to do
   * (decode workers, the CLI), where it costs a tenth of the CPU time of
   * going through libuv's thread pool. Never on the extension host's thread.
   */
  readonly blockingRead?: boolean;
}

function checkFile(info: Stats, path: string, limits: DecodeLimits): void {
  if (info.size > limits.maxFileBytes) throw new ScanLensError(`file is ${info.size} bytes, over the limit of ${limits.maxFileBytes}`, path);
  if (info.size === 0) throw new ScanLensError('file is empty', path);
}

/**
 * The file's bytes, or only its first `head` bytes when given; refused by one
 * line when over the size limit, empty or not a regular file (a FIFO, socket
 * or device is refused before it is opened; a link to a regular file is read).
 */
export async function readLimited(path: string, limits: DecodeLimits, head?: number): Promise<Buffer> {
  const { handle, info } = await openRegular(path);
  try {
    checkFile(info, path, limits);
    if (head === undefined || head >= info.size) return await handle.readFile();
    const buffer = Buffer.alloc(head);
    const { bytesRead } = await handle.read(buffer, 0, head, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** readLimited with blocking calls (see LoadOptions.blockingRead). */
export function readLimitedBlocking(path: string, limits: DecodeLimits): Buffer {
  const { fd, info } = openRegularSync(path);
  try {
    checkFile(info, path, limits);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The format of a file's content; gzip is looked into, since NIfTI is usually shipped as .nii.gz. */
export async function sniffBuffer(buffer: Buffer): Promise<ScanFormat | undefined> {
  if (isGzip(buffer)) {
    const head = await inflateRange(buffer, 0, SNIFF_BYTES).catch(() => new Uint8Array(0));
    return sniffFormat(head) === 'nifti' ? 'nifti' : undefined;
  }
  return sniffFormat(buffer.subarray(0, SNIFF_BYTES));
}

/** Reads, recognises and decodes one scan file. Errors name the file and say why. */
export async function loadScan(path: string, limits: DecodeLimits = DEFAULT_LIMITS, options: LoadOptions = {}): Promise<Scan> {
  try {
    const buffer = options.blockingRead ? readLimitedBlocking(path, limits) : await readLimited(path, limits);
    const format = await sniffBuffer(buffer);
    if (!format) throw new ScanLensError('not a recognised scan format (DICOM, NIfTI, PNG, JPEG, TIFF or WebP)', path);
    // DICOM and NIfTI decoders are JavaScript/WASM on untrusted bytes: they run in the capped worker.
    // Rasters go to libvips through sharp, which has its own pixel limit and runs off the JS thread already;
    // plain PNGs are decoded in place, with inflation capped at the size their header allows.
    if (format === 'nifti' || format === 'dicom') return await decodeIsolated({ kind: 'file', path, format, bytes: buffer, limits, options });
    return (format === 'png' ? decodePlainPng(buffer, path, limits) : undefined) ?? (await decodeRaster(buffer, path, format, limits));
  } catch (error) {
    throw aboutFile(path, error);
  }
}
