import { ScanLensError, oneLine } from '../errors';
import type { PrivacyOptions } from '../privacy/redact';
import { decodeDicom } from './dicomDecoder';
import { assembleDicomSeries } from './dicomSeries';
import type { DecodeLimits } from './limits';
import { decodeNifti } from './niftiDecoder';
import type { Scan } from './scan';

/** Work handed to the decoding worker: plain data, so it crosses threads by structured clone. */
export type DecodeJob =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly format: 'dicom' | 'nifti';
      readonly bytes: Uint8Array;
      readonly limits: DecodeLimits;
      readonly options: PrivacyOptions & { readonly volume?: number };
    }
  | { readonly kind: 'series'; readonly label: string; readonly files: readonly string[]; readonly limits: DecodeLimits; readonly options: PrivacyOptions };

export type DecodeReply = { readonly ok: true; readonly scan: Scan } | { readonly ok: false; readonly reason: string; readonly file?: string };

export async function runDecodeJob(job: DecodeJob): Promise<Scan> {
  if (job.kind === 'series') return assembleDicomSeries(job.label, job.files, job.limits, job.options);
  const buffer = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  return job.format === 'nifti' ? decodeNifti(buffer, job.path, job.limits, job.options) : decodeDicom(buffer, job.path, job.limits, job.options);
}

/** An error as the worker sends it back: the reason apart from the file, so the caller can rebuild a ScanLensError. */
export function replyOf(error: unknown): DecodeReply {
  if (error instanceof ScanLensError && error.file) return { ok: false, reason: error.message.slice(error.file.length + 2), file: error.file };
  return { ok: false, reason: oneLine(error) };
}
