import { createHash } from 'node:crypto';
import type { DataSet } from 'dicom-parser';
import { ScanLensError, aboutFile } from '../errors';
import type { PrivacyOptions } from '../privacy/redact';
import { decodeIsolated } from './decodeIsolated';
import { dicomAffine, scanFromDataSet } from './dicomDecoder';
import { readDicomHeader } from './dicomHeader';
import { identifyingValues } from './dicomTags';
import { parseDicomBytes } from './dicomParse';
import type { DecodeLimits } from './limits';
import { floatAt } from './dicomValues';
import { readLimited } from './loadScan';
import type { Scan, VoxelArray } from './scan';

export interface SeriesSlice {
  readonly path: string;
  readonly dataSet: DataSet;
}

/** A series found in a folder: its files, grouped by SeriesInstanceUID (kept internal: UIDs are identifying). */
export interface FoundSeries {
  readonly files: string[];
  /** SeriesNumber and Modality (kept by the basic de-identification profile), for naming the series. */
  readonly number?: number;
  readonly modality?: string;
  /** The first hex digits of the UID's sha256: tells series apart, stably, without showing the UID. */
  readonly uidHash: string;
}

async function readDataSet(path: string, limits: DecodeLimits): Promise<DataSet> {
  try {
    return await parseDicomBytes(await readLimited(path, limits), path, limits);
  } catch (error) {
    throw aboutFile(path, error);
  }
}

/** Modality for a series' name, left out when it repeats an identifying value of the file (a name stored as the modality). */
function shownModality(dataSet: DataSet | undefined): string | undefined {
  const modality = dataSet?.string('x00080060')?.trim();
  return modality && !identifyingValues(dataSet!).repeatedIn(modality) ? modality : undefined;
}

/** Whether every file of a group lies at one and the same ImagePositionPatient: copies of one slice (re-encodings, repeats), not a volume. */
function onePosition(positions: readonly (readonly number[] | undefined)[]): boolean {
  const [first] = positions;
  return first !== undefined && positions.every((p) => p !== undefined && p.every((v, i) => v === first[i]));
}

/** What grouping needs from one file's header: plain data, so it crosses from the decoding worker. */
export interface SliceTags {
  readonly uid?: string;
  readonly frames: number;
  readonly pixels: boolean;
  readonly number?: number;
  readonly modality?: string;
  readonly position?: number[];
}

/** A file's SliceTags, read from its header only (rejects, naming the file, when it cannot be read); undefined when a value runs past what was read. */
export async function readSliceTags(path: string, limits: DecodeLimits): Promise<SliceTags | undefined> {
  const dataSet = await readDicomHeader(path, limits);
  try {
    // dicom-parser reads a value only when asked: one that runs past the bytes read throws here, and the file stays single (its own error row).
    return {
      uid: dataSet.string('x0020000e'),
      frames: dataSet.intString('x00280008') ?? 1,
      pixels: Boolean(dataSet.elements.x7fe00010),
      number: dataSet.intString('x00200011'),
      modality: shownModality(dataSet),
      position: position(dataSet),
    };
  } catch {
    return undefined;
  }
}

/**
 * Groups DICOM files by SeriesInstanceUID, reading only their headers, in
 * the decoding worker (under its heap cap and a time limit per file: a
 * hostile header costs the worker, never the caller's thread). A file
 * that holds several frames is a volume of its own (multiFrame); files whose
 * header fails to parse, that are alone in their series, or whose series puts
 * every slice at one position (copies of one slice, such as re-encodings)
 * stay single so they can become rows of their own (error rows for the first).
 */
export async function groupSeries(files: readonly string[], limits: DecodeLimits): Promise<{ series: FoundSeries[]; single: string[]; multiFrame: string[] }> {
  const groups = new Map<string, { files: string[]; positions: (number[] | undefined)[]; number?: number; modality?: string }>();
  const single: string[] = [];
  const multiFrame: string[] = [];
  for (const file of files) {
    const tags = await decodeIsolated({ kind: 'header', path: file, limits }).catch(() => undefined);
    if (tags?.pixels && Number.isSafeInteger(tags.frames) && tags.frames > 1) multiFrame.push(file);
    else if (!tags?.uid || !tags.pixels) single.push(file);
    else {
      const group = groups.get(tags.uid) ?? { files: [], positions: [], number: tags.number, modality: tags.modality };
      group.files.push(file);
      group.positions.push(tags.position);
      groups.set(tags.uid, group);
    }
  }
  const series: FoundSeries[] = [];
  for (const [uid, { positions, ...group }] of groups) {
    if (group.files.length > 1 && !onePosition(positions)) series.push({ ...group, uidHash: createHash('sha256').update(uid).digest('hex').slice(0, 8) });
    else single.push(...group.files);
  }
  return { series, single, multiFrame };
}

function position(dataSet: DataSet): number[] | undefined {
  const values = [0, 1, 2].map((i) => floatAt(dataSet, 'x00200032', i));
  return values.every((v): v is number => v !== undefined && Number.isFinite(v)) ? values : undefined;
}

/** ImageOrientationPatient's six direction cosines (row, then column), when all are there and finite. */
function orientation(dataSet: DataSet): number[] | undefined {
  const o = [0, 1, 2, 3, 4, 5].map((i) => floatAt(dataSet, 'x00200037', i));
  return o.every((v): v is number => v !== undefined && Number.isFinite(v)) ? o : undefined;
}

function normalOf(o: readonly number[]): number[] {
  const [a, b, c, d, e, f] = o as [number, number, number, number, number, number];
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

/**
 * How far slices of one series may disagree before they are refused rather
 * than stacked: each direction cosine of ImageOrientationPatient within 0.01
 * of the first slice's (about 0.6°), and every gap between neighbouring
 * slices along the normal within 1 % of the median gap.
 */
export const SERIES_TOLERANCE = { directionCosine: 0.01, spacing: 0.01 } as const;

/** The anatomical plane a slice normal (LPS) is closest to. */
function planeOf(normal: readonly number[]): string {
  const [x, y, z] = normal.map(Math.abs) as [number, number, number];
  return z >= x && z >= y ? 'axial' : y >= x ? 'coronal' : 'sagittal';
}

const mm = (v: number): string => `${Number(v.toFixed(3))} mm`;

/**
 * Orders a series' slices and checks their geometry before any pixel is
 * decoded: one orientation for all (else refused, naming the planes mixed),
 * one slice per position along the normal, evenly spaced within
 * SERIES_TOLERANCE. Without orientation or positions they are ordered by
 * InstanceNumber, unchecked, as before. `complete` false: some slice of the
 * series failed to parse, so only mixed orientations and repeated positions
 * are reported (a missing orientation or an uneven gap may be that slice).
 */
function orderSlices(label: string, slices: readonly SeriesSlice[], complete = true): { ordered: SeriesSlice[]; along?: number[] } {
  const byInstance = (): { ordered: SeriesSlice[] } => ({
    ordered: [...slices].sort((a, b) => (a.dataSet.intString('x00200013') ?? 0) - (b.dataSet.intString('x00200013') ?? 0)),
  });
  const oriented = slices.flatMap((s) => {
    const o = orientation(s.dataSet);
    return o ? [{ s, o, p: position(s.dataSet) }] : [];
  });
  if (oriented.length === 0) return byInstance();
  for (const { s, o } of oriented) {
    const unit = (v: number[]): boolean => Math.abs(Math.hypot(...v) - 1) <= SERIES_TOLERANCE.directionCosine;
    const [row, column] = [o.slice(0, 3), o.slice(3, 6)];
    const dot = row[0]! * column[0]! + row[1]! * column[1]! + row[2]! * column[2]!;
    if (!unit(row) || !unit(column) || Math.abs(dot) > SERIES_TOLERANCE.directionCosine) {
      throw new ScanLensError(`slice ${s.path} has a degenerate ImageOrientationPatient (${o.join('\\')}): its row and column directions are not perpendicular unit vectors`, label);
    }
  }
  const first = oriented[0]!;
  const other = oriented.find(({ o }) => o.some((v, k) => Math.abs(v - first.o[k]!) > SERIES_TOLERANCE.directionCosine));
  if (other) {
    const planes = new Map<string, number>();
    for (const plane of oriented.map(({ o }) => planeOf(normalOf(o)))) planes.set(plane, (planes.get(plane) ?? 0) + 1);
    const mix = [...planes].map(([plane, n]) => `${n} ${plane}`).join(', ');
    throw new ScanLensError(
      `slices disagree in orientation under one SeriesInstanceUID (${mix}): ${other.s.path} differs from ${first.s.path} by more than ${SERIES_TOLERANCE.directionCosine} in ImageOrientationPatient; refusing to stack them into one volume`,
      label,
    );
  }
  // Positions along the normal of the slices that have one; the same position twice is refused before anything else is asked of the rest.
  const normal = normalOf(first.o);
  const keyed = oriented.flatMap(({ s, p }) => (p ? [{ s, along: p[0]! * normal[0]! + p[1]! * normal[1]! + p[2]! * normal[2]! }] : []));
  keyed.sort((a, b) => a.along - b.along);
  const gaps = keyed.slice(1).map((k, i) => k.along - keyed[i]!.along);
  const usual = [...gaps].sort((a, b) => a - b)[gaps.length >> 1] ?? 0;
  const same = gaps.findIndex((gap) => gap <= SERIES_TOLERANCE.spacing * usual || gap === 0);
  if (same >= 0) {
    const [a, b] = [keyed[same]!, keyed[same + 1]!];
    throw new ScanLensError(
      `slices ${a.s.path} and ${b.s.path} lie at the same position along the normal (${mm(a.along)}): one series needs one slice per position (copies of a slice in other encodings, echoes or time points are not one volume)`,
      label,
    );
  }
  // With a slice that failed to parse (complete false), that failure is told instead of what follows: the slice may be the one lacking, or the gap.
  if (oriented.length < slices.length && complete) {
    const lacking = slices.find((s) => !oriented.some((k) => k.s === s))!;
    throw new ScanLensError(`slice ${lacking.path} has no usable ImageOrientationPatient while other slices of the series do; its orientation cannot be checked`, label);
  }
  if (keyed.length < slices.length) return byInstance();
  const uneven = complete ? gaps.findIndex((gap) => Math.abs(gap - usual) > SERIES_TOLERANCE.spacing * usual) : -1;
  if (uneven >= 0) {
    const [a, b] = [keyed[uneven]!, keyed[uneven + 1]!];
    throw new ScanLensError(
      `slice spacing along the normal varies: ${mm(gaps[uneven]!)} between ${a.s.path} and ${b.s.path}, ${mm(usual)} between most slices (tolerance ${SERIES_TOLERANCE.spacing * 100} %); a missing slice or a mixed series cannot be stacked into one evenly spaced volume`,
      label,
    );
  }
  return { ordered: keyed.map((k) => k.s), along: keyed.map((k) => k.along) };
}

/** The voxels a slice's header declares (Rows × Columns × SamplesPerPixel × NumberOfFrames), before any pixel is read. */
function declaredVoxels(dataSet: DataSet): number {
  const frames = dataSet.intString('x00280008') ?? 1;
  return (dataSet.uint16('x00280010') ?? 0) * (dataSet.uint16('x00280011') ?? 0) * (dataSet.uint16('x00280002') ?? 1) * (Number.isSafeInteger(frames) && frames > 0 ? frames : 1);
}

/**
 * One volume from the slice files of a series: ordered by ImagePositionPatient
 * projected on the slice normal, or by InstanceNumber when orientation or
 * positions are missing; slice spacing from the positions. Slices that mix
 * orientations or are unevenly spaced are refused (orderSlices). Only headers
 * are read until the order, the geometry and the series' declared voxels
 * (against maxVoxels) have passed; then slices are decoded one at a time
 * into the volume, so a series costs its volume and one slice.
 */
export async function assembleDicomSeries(label: string, files: readonly string[], limits: DecodeLimits, privacy: PrivacyOptions = {}): Promise<Scan> {
  const read = await Promise.allSettled(files.map(async (path) => ({ path, dataSet: await readDicomHeader(path, limits) })));
  const slices = read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = read.find((r) => r.status === 'rejected');
  if (failed) {
    // A series that mixes orientations or repeats a position is refused for that, whichever file also fails to parse.
    if (slices.length > 1) orderSlices(label, slices, false);
    throw failed.reason;
  }
  const { ordered: keyed, along } = orderSlices(label, slices);
  const declared = keyed.reduce((sum, k) => sum + declaredVoxels(k.dataSet), 0);
  if (declared > limits.maxVoxels) throw new ScanLensError(`series of ${keyed.length} slices declares ${declared} voxels, over the limit of ${limits.maxVoxels}; refused before decoding`, label);
  const byPosition = along !== undefined;
  let first: Scan | undefined;
  let voxels: VoxelArray | undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const [i, k] of keyed.entries()) {
    const scan = await scanFromDataSet(await readDataSet(k.path, limits), k.path, limits, privacy);
    first ??= scan;
    const [, height, width] = first.shape;
    if (scan.shape[0] !== 1 || scan.shape[1] !== height || scan.shape[2] !== width || scan.channels !== first.channels || scan.voxels.constructor !== first.voxels.constructor) {
      throw new ScanLensError(`slice ${scan.path} does not match the series' ${width}×${height} single-frame ${first.metadata.sampleType} slices`, label);
    }
    if (scan.rescale?.slope !== first.rescale?.slope || scan.rescale?.intercept !== first.rescale?.intercept) {
      throw new ScanLensError(`slice ${scan.path} has a different rescale slope/intercept from the rest of the series`, label);
    }
    if (!voxels) {
      // Headers can lie about what their pixels decode to: the volume is checked again from the first slice decoded.
      if (first.voxels.length * keyed.length > limits.maxVoxels) throw new ScanLensError(`series is over the limit of ${limits.maxVoxels} voxels`, label);
      voxels = new (first.voxels.constructor as new (n: number) => VoxelArray)(first.voxels.length * keyed.length);
    }
    voxels.set(scan.voxels as never, i * first.voxels.length);
    min = Math.min(min, scan.valueRange.min);
    max = Math.max(max, scan.valueRange.max);
  }
  const [, height, width] = first!.shape;
  const gap = along && along.length > 1 ? (along.at(-1)! - along[0]!) / (along.length - 1) : (first!.spacing?.[0] ?? 1);
  const spacing: [number, number, number] | undefined = first!.spacing ? [Math.abs(gap) || 1, first!.spacing[1], first!.spacing[2]] : undefined;
  const affine = dicomAffine(keyed[0]!.dataSet, spacing ?? [Math.abs(gap) || 1, 1, 1]);
  return {
    ...first!,
    path: label,
    shape: [keyed.length, height, width],
    voxels: voxels!,
    spacing,
    valueRange: { min, max },
    ...(affine ? { affine } : {}),
    metadata: { ...first!.metadata, format: 'DICOM series', slices: keyed.length, orderedBy: byPosition ? 'ImagePositionPatient' : 'InstanceNumber' },
  };
}

/**
 * The files of a series in the order assembleDicomSeries stacks them along
 * its normal (headers only): slice k of the volume is file k. A series it
 * would refuse is refused the same way.
 */
export async function orderedSeriesFiles(label: string, files: readonly string[], limits: DecodeLimits): Promise<string[]> {
  const slices = await Promise.all(files.map(async (path) => ({ path, dataSet: await readDicomHeader(path, limits) })));
  return orderSlices(label, slices).ordered.map((slice) => slice.path);
}

/** The same, decoded in the isolated decoding worker. */
export function loadDicomSeries(label: string, files: readonly string[], limits: DecodeLimits, privacy: PrivacyOptions = {}): Promise<Scan> {
  return decodeIsolated({ kind: 'series', label, files, limits, options: privacy });
}

/** A folder holding one DICOM series (the largest, when there are several) as a volume. */
export async function loadSeriesFolder(folder: string, files: readonly string[], limits: DecodeLimits, privacy: PrivacyOptions = {}): Promise<Scan> {
  const { series } = await groupSeries(files, limits);
  if (series.length === 0) throw new ScanLensError('no DICOM series with more than one slice in this folder', folder);
  const largest = series.reduce((a, b) => (b.files.length > a.files.length ? b : a));
  return loadDicomSeries(folder, largest.files, limits, privacy);
}
