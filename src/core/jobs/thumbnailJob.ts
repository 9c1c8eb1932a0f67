import type { Intensity } from '../model/manifest';
import { toChannels } from '../preprocess/colour';
import { unitSlice } from '../preprocess/intensity';
import { encodeJpeg } from '../render/jpegEncode';
import { thumbnail } from '../render/thumbnail';
import { loadDicomSeries } from '../scan/dicomSeries';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import type { SliceAxis } from '../scan/reslice';
import { chooseSlice, cutSlice } from '../scan/sliceChoice';
import type { InputKind } from './classifyInputs';

/** The scan of one classify row, and for a volume or series the slice its top class comes from. */
export interface ThumbnailSource {
  readonly file: string;
  readonly kind: InputKind;
  /** A series' files, or a multi-sequence subject's (its first sequence is pictured). */
  readonly files?: readonly string[];
  readonly slice?: { readonly axis: SliceAxis; readonly index: number };
}

export interface ThumbnailOptions {
  /** Longest side, in pixels. */
  readonly box: number;
  /** How the model maps the scan's values to [0,1]: the picture shows what the model saw. */
  readonly intensity: Intensity;
  readonly quality?: number;
  readonly limits?: DecodeLimits;
}

export interface Thumbnail {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
}

/**
 * A row's picture as the HTML report draws it: its scan read again (the
 * privacy profile applies; only pixels are used), the row's slice cut, its
 * values mapped as the model maps them, shrunk into the box and written as JPEG.
 */
export async function thumbnailJob(source: ThumbnailSource, options: ThumbnailOptions): Promise<Thumbnail> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  // A multi-sequence subject (a volume row with files) is pictured by its first sequence.
  const file = source.kind === 'volume' && source.files?.[0] ? source.files[0] : source.file;
  const scan = source.kind === 'series' ? await loadDicomSeries(source.file, source.files ?? [], limits) : await loadScan(file, limits, { blockingRead: true });
  const request = source.slice ? { axis: source.slice.axis, slice: source.slice.index } : {};
  let base = unitSlice(cutSlice(scan, chooseSlice(scan, request)), 0, options.intensity);
  if (base.channels !== 1 && base.channels !== 3) base = toChannels(base, 1);
  const small = thumbnail(base, options.box);
  return { jpeg: await encodeJpeg(small, options.quality ?? 80), width: small.width, height: small.height };
}
