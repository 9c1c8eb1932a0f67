import { dirname } from 'node:path';
import { groupSeries, type FoundSeries } from '../scan/dicomSeries';
import type { DecodeLimits } from '../scan/limits';
import { sniffFile } from '../scan/sniffFile';

/**
 * One thing a classification reports on, with the key that names its row
 * everywhere (outputs, --resume, --shard): an image file; a file that holds a
 * volume (NIfTI, multi-frame DICOM); or a DICOM series, one file per slice.
 */
export type ClassifyInput =
  { readonly kind: 'image' | 'volume'; readonly key: string; readonly files: readonly [string] } | { readonly kind: 'series'; readonly key: string; readonly files: readonly string[] };

export type InputKind = ClassifyInput['kind'];

/**
 * A series' row name: its folder plus what tells it from the folder's other
 * series without identifying anyone (modality, SeriesNumber, a hash of the UID).
 */
function seriesKey(series: FoundSeries): string {
  return `${dirname(series.files[0]!)} [${series.modality ?? 'DICOM'} series ${series.number ?? '?'} · ${series.uidHash}]`;
}

/**
 * Sorts files into inputs, reading only headers: NIfTI files and multi-frame
 * DICOM files are volumes, DICOM files sharing a SeriesInstanceUID (two or
 * more) a series, everything else an image (so an unreadable file still gets
 * its own error row). Inputs come in the order of their first file.
 */
export async function classifyInputs(files: readonly string[], limits: DecodeLimits): Promise<ClassifyInput[]> {
  const dicom: string[] = [];
  const byFile = new Map<string, ClassifyInput>();
  for (const file of files) {
    const format = await sniffFile(file, limits).catch(() => undefined);
    if (format === 'nifti') byFile.set(file, { kind: 'volume', key: file, files: [file] });
    else if (format === 'dicom') dicom.push(file);
    else byFile.set(file, { kind: 'image', key: file, files: [file] });
  }
  const { series, single, multiFrame } = await groupSeries(dicom, limits);
  for (const found of series) byFile.set(found.files[0]!, { kind: 'series', key: seriesKey(found), files: found.files });
  for (const file of multiFrame) byFile.set(file, { kind: 'volume', key: file, files: [file] });
  for (const file of single) byFile.set(file, { kind: 'image', key: file, files: [file] });
  return files.flatMap((file) => byFile.get(file) ?? []);
}
