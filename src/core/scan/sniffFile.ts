import type { DecodeLimits } from './limits';
import { isGzip } from './inflateRange';
import { readLimited, sniffBuffer } from './loadScan';
import type { ScanFormat } from './scan';

/** Past every magic number, and ten times the gzip input a .nii.gz needs to show its NIfTI header. */
const HEAD_BYTES = 4096;

/**
 * A file's scan format from its first bytes, so sorting a big folder by
 * format does not read every scan whole. Only a gzip stream not recognised
 * from its head is read whole, to be sure. Rejects, naming the file, when it
 * cannot be read or is over the size limit.
 */
export async function sniffFile(path: string, limits: DecodeLimits): Promise<ScanFormat | undefined> {
  const head = await readLimited(path, limits, HEAD_BYTES);
  const format = await sniffBuffer(head);
  if (format || !isGzip(head) || head.length < HEAD_BYTES) return format;
  return sniffBuffer(await readLimited(path, limits));
}
