import { oneLine, ScanLensError } from '../../errors';
import type { Image2D } from '../../image';
import { explainScan } from '../../jobs/explainJob';
import { isVolumeResult, type ClassifyResult } from '../../jobs/classifyJob';
import type { LoadedModel } from '../../model/loadModel';
import { toChannels } from '../../preprocess/colour';
import { unitSlice } from '../../preprocess/intensity';
import { explanationBytes } from '../../render/explanationOverlay';
import { encodeJpeg, jpegFromBytes } from '../../render/jpegEncode';
import { thumbnail } from '../../render/thumbnail';
import { loadDicomSeries } from '../../scan/dicomSeries';
import { DEFAULT_LIMITS, type DecodeLimits } from '../../scan/limits';
import { loadScan } from '../../scan/loadScan';
import type { Scan } from '../../scan/scan';
import { chooseSlice, cutSlice } from '../../scan/sliceChoice';
import type { CamMethodName } from '../../vocabulary/camMethods';
import { SCANLENS_VERSION } from '../../version';
import type { ClassifySummary } from '../classifyReport';
import { labelledAudit, type FolderLabels } from './labelledAudit';
import { reportEntry, type ReportEntry } from './reportEntry';
import { reportParts, type EntryPicture, type InlinePicture } from './reportHtml';

/** Thumbnails fit this square: small enough that 10,000 rows stay a file a browser opens. */
const THUMBNAIL_BOX = 96;
/** Overlays as `scanlens explain --out` draws them by default. */
const OVERLAY = { colormap: 'jet', alpha: 0.5 } as const;

export interface ReportOptions {
  /** Draw each row's explanation (of its top class, on its top slice) beside the thumbnail. */
  readonly overlays?: { readonly method: CamMethodName; readonly threads?: number };
  /** Labels of the folder classified (folderLabels): adds the audit against them; `none` says why there is none. */
  readonly labels?: FolderLabels | { readonly none: string };
  readonly limits?: DecodeLimits;
  /** The command line shown under provenance. */
  readonly command?: string;
  /** The name each row's scan is shown by, in row order (default: its path as read); the scans are still read by their paths. */
  readonly shownFiles?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** The row's scan, read again as classify read it (the privacy profile applies: only pixels are used). */
function readScan(row: ClassifyResult, limits: DecodeLimits): Promise<Scan> {
  if (row.kind === 'series') return loadDicomSeries(row.file, row.files ?? [], limits);
  // A multi-sequence subject's row names its folder; its picture is its first sequence, the grid the model's input lies on.
  if (row.kind === 'volume' && row.files?.[0]) return loadScan(row.files[0], limits);
  return loadScan(row.file, limits);
}

/** JPEG at this quality: thumbnails a third the size of PNGs, which keeps a 10,000-row report in tens of megabytes rather than near a hundred. */
const JPEG_QUALITY = 80;

async function inlineJpeg(image: Image2D): Promise<InlinePicture> {
  return { jpeg: await encodeJpeg(image, JPEG_QUALITY), width: image.width, height: image.height };
}

/**
 * The picture of one row: the slice its top class comes from (a volume's top
 * peak slice along its axis), shrunk into the thumbnail box, and with
 * overlays the explanation explainJob gives for that slice, blended over the
 * same thumbnail. A scan that cannot be read again says so under the row
 * instead of failing the report.
 */
async function pictureOf(model: LoadedModel, row: ClassifyResult, options: ReportOptions): Promise<EntryPicture> {
  if ('error' in row) return {};
  try {
    const scan = await readScan(row, options.limits ?? DEFAULT_LIMITS);
    const request = isVolumeResult(row) ? { axis: row.axis, slice: row.top.slice } : {};
    const { overlays } = options;
    if (!overlays) {
      let base = unitSlice(cutSlice(scan, chooseSlice(scan, request)), 0, model.manifest.input.intensity);
      if (base.channels !== 1 && base.channels !== 3) base = toChannels(base, 1);
      return { thumbnail: await inlineJpeg(thumbnail(base, THUMBNAIL_BOX)) };
    }
    const job = await explainScan(model, scan, { method: overlays.method, threads: overlays.threads, signal: options.signal, ...request });
    const small = thumbnail(job.base, THUMBNAIL_BOX);
    const overlay = explanationBytes(small, job.explanation.map, job.view, OVERLAY.colormap, OVERLAY.alpha);
    const jpeg = await jpegFromBytes(overlay, small.width, small.height, 3, JPEG_QUALITY);
    return { thumbnail: await inlineJpeg(small), overlay: { jpeg, width: small.width, height: small.height } };
  } catch (error) {
    return { note: `no picture: ${oneLine(error)}` };
  }
}

/**
 * A classify run as one self-contained HTML page (reportParts), in pieces to
 * write as they come: the model's card and provenance, a summary, with labels
 * the audit, then one entry per row in the rows' order with its thumbnail
 * (and explanation), each made when its row is written, so a report of any
 * length holds one picture at a time. The rows are classify's own; only the
 * pictures are made here.
 */
export async function* htmlReportJob(model: LoadedModel, rows: readonly ClassifyResult[], summary: ClassifySummary, options: ReportOptions = {}): AsyncGenerator<string> {
  const entries: ReportEntry[] = rows.map((row, i) => reportEntry(options.shownFiles ? { ...row, file: options.shownFiles[i] ?? row.file } : row));
  const { labels } = options;
  const audit =
    labels && 'none' in labels
      ? labels
      : labels
        ? labelledAudit(
            model.manifest.labels,
            entries,
            // Matched to the labels by the paths read, not the names shown.
            rows.map((r) => ('files' in r && r.files ? r.files : [r.file])),
            labels,
          )
        : undefined;
  const parts = reportParts({
    scanlensVersion: SCANLENS_VERSION,
    generated: new Date().toISOString(),
    command: options.command,
    model: { manifest: model.manifest, sha256: model.sha256, assumptions: model.assumptions },
    summary,
    entries,
    overlayMethod: options.overlays?.method,
    audit: audit ?? (labels ? { none: 'no labelled row was classified' } : undefined),
  });
  yield parts.head;
  for (const [index, row] of rows.entries()) {
    // Thrown, not returned: the writer then removes what it wrote, so a cancelled report leaves no file.
    if (options.signal?.aborted) throw new ScanLensError(`report cancelled at row ${index + 1} of ${rows.length}; nothing written`);
    yield parts.row(index, await pictureOf(model, row, options));
    options.onProgress?.(index + 1, rows.length);
  }
  yield parts.tail;
}
