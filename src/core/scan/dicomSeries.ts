import { createHash } from 'node:crypto';
import type { DataSet } from 'dicom-parser';
import { ScanLensError, aboutFile } from '../errors';
import type { PrivacyOptions } from '../privacy/redact';
import { decodeIsolated } from './decodeIsolated';
import { dicomAffine, scanFromDataSet } from './dicomDecoder';
import { readDicomHeader } from './dicomHeader';
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

/**
 * Groups DICOM files by SeriesInstanceUID, reading only their headers. A file
 * that holds several frames is a volume of its own (multiFrame); files whose
 * header fails to parse, or that are alone in their series, stay single so
 * they can become rows (error rows for the former).
 */
export async function groupSeries(files: readonly string[], limits: DecodeLimits): Promise<{ series: FoundSeries[]; single: string[]; multiFrame: string[] }> {
  const groups = new Map<string, { files: string[]; number?: number; modality?: string }>();
  const single: string[] = [];
  const multiFrame: string[] = [];
  for (const file of files) {
    const dataSet = await readDicomHeader(file, limits).catch(() => undefined);
    const uid = dataSet?.string('x0020000e');
    const frames = dataSet?.intString('x00280008') ?? 1;
    const pixels = Boolean(dataSet?.elements.x7fe00010);
    if (pixels && Number.isSafeInteger(frames) && frames > 1) multiFrame.push(file);
    else if (!uid || !pixels) single.push(file);
    else {
      const group = groups.get(uid) ?? { files: [], number: dataSet?.intString('x00200011'), modality: dataSet?.string('x00080060')?.trim() || undefined };
      group.files.push(file);
      groups.set(uid, group);
    }
  }
  const series: FoundSeries[] = [];
  for (const [uid, group] of groups) {
    if (group.files.length > 1) series.push({ ...group, uidHash: createHash('sha256').update(uid).digest('hex').slice(0, 8) });
    else single.push(...group.files);
  }
  return { series, single, multiFrame };
}

function position(dataSet: DataSet): number[] | undefined {
  const values = [0, 1, 2].map((i) => floatAt(dataSet, 'x00200032', i));
  return values.every((v): v is number => v !== undefined && Number.isFinite(v)) ? values : undefined;
}

function sliceNormal(dataSet: DataSet): number[] | undefined {
  const o = [0, 1, 2, 3, 4, 5].map((i) => floatAt(dataSet, 'x00200037', i));
  if (!o.every((v): v is number => v !== undefined && Number.isFinite(v))) return undefined;
  const [a, b, c, d, e, f] = o as [number, number, number, number, number, number];
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

/**
 * One volume from the slice files of a series: ordered by ImagePositionPatient
 * projected on the slice normal, or by InstanceNumber when positions are
 * missing; slice spacing from the positions.
 */
export async function assembleDicomSeries(label: string, files: readonly string[], limits: DecodeLimits, privacy: PrivacyOptions = {}): Promise<Scan> {
  const slices = await Promise.all(files.map(async (path) => ({ path, dataSet: await readDataSet(path, limits) })));
  const normal = sliceNormal(slices[0]!.dataSet);
  const keyed = slices.map((s) => {
    const p = position(s.dataSet);
    const along = normal && p ? p[0]! * normal[0]! + p[1]! * normal[1]! + p[2]! * normal[2]! : undefined;
    return { ...s, along, instance: s.dataSet.intString('x00200013') ?? 0 };
  });
  const byPosition = keyed.every((k) => k.along !== undefined) && new Set(keyed.map((k) => k.along)).size === keyed.length;
  keyed.sort((a, b) => (byPosition ? a.along! - b.along! : a.instance - b.instance));
  const scans: Scan[] = [];
  for (const k of keyed) scans.push(await scanFromDataSet(k.dataSet, k.path, limits, privacy));
  const first = scans[0]!;
  const [, height, width] = first.shape;
  for (const scan of scans) {
    if (scan.shape[0] !== 1 || scan.shape[1] !== height || scan.shape[2] !== width || scan.channels !== first.channels || scan.voxels.constructor !== first.voxels.constructor) {
      throw new ScanLensError(`slice ${scan.path} does not match the series' ${width}×${height} single-frame ${first.metadata.sampleType} slices`, label);
    }
    if (scan.rescale?.slope !== first.rescale?.slope || scan.rescale?.intercept !== first.rescale?.intercept) {
      throw new ScanLensError(`slice ${scan.path} has a different rescale slope/intercept from the rest of the series`, label);
    }
  }
  if (scans.length * height * width * first.channels > limits.maxVoxels) throw new ScanLensError(`series is over the limit of ${limits.maxVoxels} voxels`, label);
  const per = first.voxels.length;
  const voxels = new (first.voxels.constructor as new (n: number) => VoxelArray)(per * scans.length);
  scans.forEach((scan, i) => voxels.set(scan.voxels as never, i * per));
  const gap = byPosition && keyed.length > 1 ? (keyed.at(-1)!.along! - keyed[0]!.along!) / (keyed.length - 1) : (first.spacing?.[0] ?? 1);
  const spacing: [number, number, number] | undefined = first.spacing ? [Math.abs(gap) || 1, first.spacing[1], first.spacing[2]] : undefined;
  const affine = dicomAffine(keyed[0]!.dataSet, spacing ?? [Math.abs(gap) || 1, 1, 1]);
  let min = first.valueRange.min;
  let max = first.valueRange.max;
  for (const scan of scans) {
    min = Math.min(min, scan.valueRange.min);
    max = Math.max(max, scan.valueRange.max);
  }
  return {
    ...first,
    path: label,
    shape: [scans.length, height, width],
    voxels,
    spacing,
    valueRange: { min, max },
    ...(affine ? { affine } : {}),
    metadata: { ...first.metadata, format: 'DICOM series', slices: scans.length, orderedBy: byPosition ? 'ImagePositionPatient' : 'InstanceNumber' },
  };
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
