import { dirname } from 'node:path';
import { sequenceOf } from '../scan/sequenceNames';
import { groupSeries, type FoundSeries } from '../scan/dicomSeries';
import type { DecodeLimits } from '../scan/limits';
import { sniffFile } from '../scan/sniffFile';

/**
 * One thing a classification reports on, with the key that names its row
 * everywhere (outputs, --resume, --shard): an image file; a file that holds a
 * volume (NIfTI, multi-frame DICOM); or a DICOM series, one file per slice.
 */
export type ClassifyInput =
  { readonly kind: 'image' | 'volume'; readonly key: string; readonly files: readonly [string] } | { readonly kind: 'series'; readonly key: string; readonly files: readonly string[] } | SubjectInput;

/**
 * One subject of a multi-sequence 3D model: a folder's volume files, one per
 * MRI sequence, found by name (sequenceOf). Its key is the folder; `files` are
 * the sequences found, in channel order; `byChannel[c]` lists channel c's
 * files (none when missing, several when the folder holds it twice).
 */
export interface SubjectInput {
  readonly kind: 'volume';
  readonly key: string;
  readonly files: readonly string[];
  readonly byChannel: readonly (readonly string[])[];
}

export const isSubject = (input: ClassifyInput): input is SubjectInput => 'byChannel' in input;

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
 * its own error row). With a multi-sequence model's `sequences`, the NIfTI
 * files of a folder whose names name a sequence are one subject (SubjectInput);
 * other files in that folder (a segmentation, say) are not inputs. Inputs come
 * in the order of their first file.
 */
export async function classifyInputs(files: readonly string[], limits: DecodeLimits, options: { readonly sequences?: readonly string[] } = {}): Promise<ClassifyInput[]> {
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
  if (options.sequences && options.sequences.length > 1) groupSubjects(byFile, options.sequences);
  return files.flatMap((file) => byFile.get(file) ?? []);
}

/** Replaces each folder's sequence-named NIfTI files by one subject input at its first file's place (see classifyInputs). */
function groupSubjects(byFile: Map<string, ClassifyInput>, sequences: readonly string[]): void {
  const subjects = new Map<string, { first: string; byChannel: string[][] }>();
  for (const [file, input] of byFile) {
    if (input.kind !== 'volume' || !/\.nii(\.gz)?$/i.test(file)) continue;
    const channel = sequenceOf(file, sequences);
    if (channel === undefined) continue;
    const folder = dirname(file);
    const subject = subjects.get(folder) ?? { first: file, byChannel: sequences.map(() => []) };
    subject.byChannel[channel]!.push(file);
    subjects.set(folder, subject);
  }
  for (const [folder, { first, byChannel }] of subjects) {
    for (const [file] of byFile) if (dirname(file) === folder && file !== first) byFile.delete(file);
    byFile.set(first, { kind: 'volume', key: folder, files: byChannel.flat(), byChannel });
  }
}
