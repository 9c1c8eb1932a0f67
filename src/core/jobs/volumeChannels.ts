import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ScanLensError } from '../errors';
import type { InputSpec } from '../model/manifest';
import { loadDicomSeries, loadSeriesFolder } from '../scan/dicomSeries';
import type { DecodeLimits } from '../scan/limits';
import { listScans } from '../scan/listScans';
import { loadScan, type LoadOptions } from '../scan/loadScan';
import type { Scan } from '../scan/scan';
import { classifyInputs, isSubject, type ClassifyInput, type SubjectInput } from './classifyInputs';

/**
 * The scans a 3D model's input is made of, one per channel (prepareVolume
 * stacks them). A one-channel model reads a volume or a DICOM series as
 * before. A multi-channel model reads a subject folder's sequence files (one
 * per sequence in `input.sequences`, found by name) or a 4D NIfTI whose
 * volumes are its channels in file order; anything else is one line saying why.
 */

const taken = (input: Pick<InputSpec, 'channels' | 'sequences'>): string => `this model takes ${input.channels} channels${input.sequences ? ` (${input.sequences.join(', ')})` : ''}`;

/** How a multi-channel model's input is given, for error lines. */
const forms = (input: Pick<InputSpec, 'sequences'>): string =>
  input.sequences
    ? `a subject folder with one NIfTI per sequence named for it (e.g. *_${input.sequences.at(-1)}.nii.gz) or a 4D NIfTI with one volume per channel`
    : 'a 4D NIfTI with one volume per channel, in channel order';

async function loadSubject(subject: SubjectInput, input: InputSpec, limits: DecodeLimits, load: LoadOptions): Promise<Scan[]> {
  const sequences = input.sequences!;
  const missing = sequences.filter((_, c) => subject.byChannel[c]!.length === 0);
  if (missing.length > 0) {
    const found = sequences.filter((_, c) => subject.byChannel[c]!.length > 0);
    throw new ScanLensError(`no ${missing.join(', ')} file: ${taken(input)}, one NIfTI each, named for its sequence (found ${found.join(', ')})`, subject.key);
  }
  const twice = sequences.findIndex((_, c) => subject.byChannel[c]!.length > 1);
  if (twice >= 0) throw new ScanLensError(`${subject.byChannel[twice]!.map((f) => basename(f)).join(' and ')} both name the ${sequences[twice]} sequence: keep one per subject folder`, subject.key);
  const scans: Scan[] = [];
  for (const [c, [file]] of subject.byChannel.entries()) {
    const scan = await loadScan(file!, limits, { ...load, volume: 0 });
    const volumes = Number(scan.metadata.volumes ?? 1);
    if (volumes > 1) throw new ScanLensError(`the ${sequences[c]} file holds ${volumes} volumes; a sequence is one volume`, file);
    scans.push(scan);
  }
  return scans;
}

/** A 4D NIfTI's volumes as the channels, in file order: exactly as many volumes as channels. `read` is its first volume when already read. */
async function loadStack(path: string, input: InputSpec, limits: DecodeLimits, load: LoadOptions, read?: Scan): Promise<Scan[]> {
  const first = read ?? (await loadScan(path, limits, { ...load, volume: 0 }));
  const volumes = first.format === 'nifti' ? Number(first.metadata.volumes ?? 1) : 1;
  if (volumes !== input.channels) {
    const holds = first.format === 'nifti' ? `holds ${volumes} volume(s)` : 'is one volume';
    throw new ScanLensError(`${holds}; ${taken(input)}: give ${forms(input)}`, path);
  }
  const scans = [first];
  for (let v = 1; v < volumes; v++) scans.push(await loadScan(path, limits, { ...load, volume: v }));
  return scans;
}

/** A classify input's scans, one per channel of the model. */
export async function loadChannels(source: ClassifyInput, input: InputSpec, limits: DecodeLimits, load: LoadOptions = {}): Promise<Scan[]> {
  if (isSubject(source)) return loadSubject(source, input, limits, load);
  if (input.channels === 1) return [source.kind === 'series' ? await loadDicomSeries(source.key, source.files, limits) : await loadScan(source.key, limits, load)];
  if (source.kind === 'series') throw new ScanLensError(`a DICOM series is one sequence; ${taken(input)}: give ${forms(input)}`, source.key);
  return loadStack(source.key, input, limits, load);
}

/**
 * A path given to explain: a volume file, or a folder (a DICOM series for a
 * one-channel model, its largest; a subject folder for a multi-channel one).
 */
export async function loadChannelsAt(path: string, input: InputSpec, limits: DecodeLimits, load: LoadOptions = {}): Promise<Scan[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return input.channels === 1 ? [await loadScan(path, limits, load)] : loadStack(path, input, limits, load);
  const files = (await listScans(path)).files;
  if (input.channels === 1) return [await loadSeriesFolder(path, files, limits, load)];
  const found = await classifyInputs(files, limits, { sequences: input.sequences });
  const subjects = found.filter(isSubject);
  if (subjects.length !== 1 || !input.sequences) {
    throw new ScanLensError(
      `${subjects.length > 1 ? `holds ${subjects.length} subjects (${subjects.map((s) => s.key).join(', ')}): explain one` : 'holds no file named for a sequence'}; ${taken(input)}: give ${forms(input)}`,
      path,
    );
  }
  return loadSubject(subjects[0]!, input, limits, load);
}

/**
 * The scans a multi-channel model takes when one of them was opened on its
 * own (the viewer): a 4D NIfTI's volumes, or the sequences of the subject
 * folder the file lies in, which must include it. A one-channel model takes
 * the scan as it is.
 */
export async function channelsAround(scan: Scan, input: InputSpec, limits: DecodeLimits): Promise<Scan[]> {
  if (input.channels === 1) return [scan];
  // The viewer reads a 4D NIfTI's first volume.
  if (Number(scan.metadata.volumes ?? 1) > 1) return loadStack(scan.path, input, limits, {}, scan);
  const scans = await loadChannelsAt(dirname(scan.path), input, limits);
  if (!scans.some((s) => resolve(s.path) === resolve(scan.path))) {
    throw new ScanLensError(`is not one of the ${input.sequences?.join(', ') ?? ''} files of its subject folder: ${taken(input)}`, scan.path);
  }
  return scans;
}
