import { ScanLensError, oneLine } from '../errors';
import type { PrivacyOptions } from '../privacy/redact';
import { decodeDicom } from './dicomDecoder';
import { assembleDicomSeries, readSliceTags, type SliceTags } from './dicomSeries';
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
  | { readonly kind: 'series'; readonly label: string; readonly files: readonly string[]; readonly limits: DecodeLimits; readonly options: PrivacyOptions }
  /** A DICOM file's header, for grouping a folder into series. */
  | { readonly kind: 'header'; readonly path: string; readonly limits: DecodeLimits };

/** What a job gives back: the tags of a header, else a scan. */
export type DecodeResult<J extends DecodeJob> = J extends { kind: 'header' } ? SliceTags | undefined : Scan;

export type DecodeReply = { readonly ok: true; readonly result: Scan | SliceTags | undefined } | { readonly ok: false; readonly reason: string; readonly file?: string };

export async function runDecodeJob(job: DecodeJob): Promise<Scan | SliceTags | undefined> {
  if (job.kind === 'header') return readSliceTags(job.path, job.limits);
  if (job.kind === 'series') return assembleDicomSeries(job.label, job.files, job.limits, job.options);
  const buffer = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  return job.format === 'nifti' ? decodeNifti(buffer, job.path, job.limits, job.options) : decodeDicom(buffer, job.path, job.limits, job.options);
}

/** An error as the worker sends it back: the reason apart from the file, so the caller can rebuild a ScanLensError. */
export function replyOf(error: unknown): DecodeReply {
  if (error instanceof ScanLensError && error.file) return { ok: false, reason: error.message.slice(error.file.length + 2), file: error.file };
  return { ok: false, reason: oneLine(error) };
}
