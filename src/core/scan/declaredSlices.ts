import { decodeIsolated } from './decodeIsolated';
import { inflateRange, isGzip } from './inflateRange';
import type { DecodeLimits } from './limits';
import { readLimited } from './loadScan';
import { sniffFile } from './sniffFile';

/** NIfTI-2's header size; NIfTI-1's (348) fits inside. */
const NIFTI_HEADER_BYTES = 540;
/** Compressed bytes read first for a .nii.gz: nearly always enough to inflate the header. */
const GZIP_HEAD_BYTES = 4096;

/** The first header bytes of a .nii or .nii.gz; only a gzip stream whose header does not inflate from its head is read whole. */
async function niftiHeader(path: string, limits: DecodeLimits): Promise<Uint8Array> {
  const head = await readLimited(path, limits, GZIP_HEAD_BYTES);
  if (!isGzip(head)) return head.subarray(0, NIFTI_HEADER_BYTES);
  const inflated = await inflateRange(head, 0, NIFTI_HEADER_BYTES).catch(() => undefined);
  if (inflated && inflated.length >= 348) return inflated;
  return inflateRange(await readLimited(path, limits), 0, NIFTI_HEADER_BYTES);
}

/** dim[0] and dim[3] of a NIfTI-1 or -2 header in the given byte order, if its size field says which it is. */
function niftiDims(header: Uint8Array, little: boolean): [number, number] | undefined {
  if (header.length < 4) return undefined;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const size = view.getInt32(0, little);
  if (size === 348 && header.length >= 348) return [view.getInt16(40, little), view.getInt16(46, little)];
  if (size === 540 && header.length >= 540) return [Number(view.getBigInt64(16, little)), Number(view.getBigInt64(40, little))];
  return undefined;
}

/** The slices along the third axis (1 for a 2D image), or undefined when the header is not a sane NIfTI header. */
function niftiDepth(header: Uint8Array): number | undefined {
  const dims = niftiDims(header, true) ?? niftiDims(header, false);
  if (!dims) return undefined;
  const [rank, depth] = dims;
  if (rank < 1 || rank > 7) return undefined;
  if (rank < 3) return 1;
  return Number.isSafeInteger(depth) && depth >= 1 ? depth : undefined;
}

/**
 * How many slices a DICOM or NIfTI file says it holds (NumberOfFrames;
 * NIfTI's third dimension), from its header alone, so deciding whether a file
 * is a volume does not cost a decode. Undefined for other formats, a DICOM file
 * without Pixel Data and a header that makes no sense: decoding says why.
 * Rejects, naming the file, when the file or its DICOM header cannot be read.
 * A DICOM header is read in the decoding worker, like any untrusted DICOM.
 */
export async function declaredSlices(path: string, limits: DecodeLimits): Promise<number | undefined> {
  const format = await sniffFile(path, limits);
  if (format === 'nifti') return niftiDepth(await niftiHeader(path, limits));
  if (format !== 'dicom') return undefined;
  const tags = await decodeIsolated({ kind: 'header', path, limits });
  if (!tags?.pixels) return undefined;
  return Number.isSafeInteger(tags.frames) && tags.frames >= 1 ? tags.frames : undefined;
}
