import { ScanLensError } from '../errors';
import { reslicedGeometry, reslicedSlice, type SliceAxis } from './reslice';
import type { Scan } from './scan';

/**
 * The one rule for "slice k along axis A" that classify, explain, preprocess,
 * anomaly scores and the viewer share: a volume is cut by reslice (radiological
 * display orientation, as classifyVolume and the viewer cut it); a single 2D
 * image has one slice, as stored.
 */

/** The slice a job used. */
export interface SliceChoice {
  /** The plane cut; null for a single 2D image, which has no axis to choose. */
  readonly axis: SliceAxis | null;
  /** From 0, along the plane's display order (the index classify's volume rows and the viewer use). */
  readonly index: number;
  /** How many slices the plane has (1 for a single image). */
  readonly count: number;
}

/** What a caller asks for; both optional. */
export interface SliceRequest {
  /** Default: axial. */
  readonly axis?: SliceAxis;
  /** Default: the middle slice, Math.floor(count / 2), the slice the viewer opens at. */
  readonly slice?: number;
}

/**
 * Whether a scan is cut along an axis, as classify routes it: every NIfTI (a
 * one-slice NIfTI too: its affine still orients it) and any scan of more than
 * one slice (multi-frame DICOM, a DICOM series). A single-slice raster or
 * DICOM file is one 2D image, used as stored.
 */
export function isVolume(scan: Scan): boolean {
  return scan.format === 'nifti' || scan.shape[0] > 1;
}

/** Number of slices along `axis` (1 for a single image). */
export function sliceCount(scan: Scan, axis: SliceAxis): number {
  return isVolume(scan) ? reslicedGeometry(scan, axis).shape[0] : 1;
}

/**
 * The slice a request names, checked: a volume's slice along the axis
 * (axial, middle slice by default); a single image's only slice, which
 * refuses another axis or index rather than quietly ignoring it.
 */
export function chooseSlice(scan: Scan, request: SliceRequest = {}): SliceChoice {
  const { slice } = request;
  if (slice !== undefined && !(Number.isInteger(slice) && slice >= 0)) throw new ScanLensError(`slice must be a whole number from 0, got ${slice}`, scan.path);
  if (!isVolume(scan)) {
    if (request.axis !== undefined && request.axis !== 'axial') throw new ScanLensError(`is a single 2D image: it has no ${request.axis} slices`, scan.path);
    if (slice !== undefined && slice !== 0) throw new ScanLensError(`is a single 2D image: slice ${slice} does not exist (it has slice 0 only)`, scan.path);
    return { axis: null, index: 0, count: 1 };
  }
  const axis = request.axis ?? 'axial';
  const count = sliceCount(scan, axis);
  if (count < 1) throw new ScanLensError(`has no ${axis} slices`, scan.path);
  const index = slice ?? Math.floor(count / 2);
  if (index >= count) throw new ScanLensError(`slice ${index} is outside 0…${count - 1} (${count} ${axis} slices)`, scan.path);
  return { axis, index, count };
}

/**
 * The chosen slice as a one-slice scan: for a volume, exactly
 * sliceOf(resliceScan(scan, axis), index) (reslicedSlice's contract) — the
 * plane classifyVolume feeds for that index; a single image as it is.
 */
export function cutSlice(scan: Scan, choice: SliceChoice): Scan {
  if (choice.axis === null) return scan;
  return reslicedSlice(scan, choice.axis, choice.index);
}
