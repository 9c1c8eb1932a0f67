import { modelGuard } from '../anomaly/modelGuard';
import { classifyFiles, toRow, type ClassifyRow } from '../classify/classify';
import { classifyVolume, type ClassPeak, type VolumeRow } from '../classify/classifyVolume';
import { rowGuard } from '../classify/guardRows';
import { oneLine } from '../errors';
import type { LoadedModel } from '../model/loadModel';
import { isVolumeModel } from '../model/manifest';
import { runModel } from '../model/runModel';
import { prepareVolume } from '../preprocess/volume3d';
import { loadDicomSeries } from '../scan/dicomSeries';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import type { SliceAxis } from '../scan/reslice';
import type { Scan } from '../scan/scan';
import { isSubject, type ClassifyInput, type InputKind } from './classifyInputs';
import { loadChannels } from './volumeChannels';

/** An image's row: probabilities, or the reason it failed. `file` is the input's key. */
export type ImageResult = ClassifyRow & { readonly kind: 'image' };

/**
 * A volume's or series' row: every slice along the axis, each class's peak
 * slice, and the top peak. `sliceCount` is how many slices were classified
 * (`slices` is empty for a row resumed from CSV, which keeps only the peaks).
 */
export type VolumeResult = VolumeRow & { readonly kind: 'volume' | 'series'; readonly top: ClassPeak; readonly sliceCount: number; readonly files?: readonly string[] };

/** A whole volume's or series' row from a 3D model: one set of probabilities for the volume. */
export type WholeVolumeResult = ClassifyRow & { readonly kind: 'volume' | 'series'; readonly files?: readonly string[] };

/** An input that could not be classified: its error belongs to it alone. */
export interface FailedInput {
  readonly kind: InputKind;
  readonly file: string;
  readonly error: string;
  readonly files?: readonly string[];
}

export type ClassifyResult = ImageResult | VolumeResult | WholeVolumeResult | FailedInput;

export const isVolumeResult = (row: ClassifyResult): row is VolumeResult => 'peaks' in row;

/** The row's error, if it failed. */
export const rowError = (row: ClassifyResult): string | undefined => ('error' in row ? row.error : undefined);

export interface ClassifyJobOptions {
  readonly batchSize?: number;
  readonly topK?: number;
  readonly limits?: DecodeLimits;
  /** Decode worker threads for images (see classifyFiles). */
  readonly workers?: number;
  /** The plane volumes are classified along, slice by slice. */
  readonly axis?: SliceAxis;
  /** For 4D NIfTI: which volume, from 0. */
  readonly volume?: number;
  readonly signal?: AbortSignal;
  /** After each input, with the count of inputs done. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The order every surface reports in: images first (they run in batches),
 * then volumes and series, each group in input order.
 */
export function jobOrder(inputs: readonly ClassifyInput[]): ClassifyInput[] {
  return [...inputs.filter((i) => i.kind === 'image'), ...inputs.filter((i) => i.kind !== 'image')];
}

async function classifyOneVolume(model: LoadedModel, input: ClassifyInput, options: ClassifyJobOptions, limits: DecodeLimits): Promise<VolumeResult | FailedInput> {
  const kind = input.kind as Exclude<InputKind, 'image'>;
  const files = kind === 'series' ? { files: input.files } : {};
  try {
    const scan = kind === 'series' ? await loadDicomSeries(input.key, input.files, limits) : await loadScan(input.key, limits, { volume: options.volume ?? 0 });
    const row = await classifyVolume(model, scan, options.axis ?? 'axial', { batchSize: options.batchSize, signal: options.signal, guard: await modelGuard(model) });
    if (row.peaks.length === 0) return { kind, file: input.key, error: 'stopped before any slice was classified', ...files };
    const { label, probability, slice, ...verdict } = row.peaks.reduce((a, b) => (b.probability > a.probability ? b : a));
    // The top peak carries its slice's verdict too: many readers look no further than top.
    return { kind, ...row, file: input.key, sliceCount: row.slices.length, top: { label, probability, slice, ...verdict }, ...files };
  } catch (error) {
    return { kind, file: input.key, error: oneLine(error), ...files };
  }
}

/** The reason an image gets no row from a 3D model. */
export const IMAGE_TO_3D = 'a 3D model (NCDHW) takes volumes (NIfTI, multi-frame DICOM, a DICOM series); this is a 2D image';

/** A volume already read (one scan per channel for a multi-sequence model), through a 3D model: one row, probabilities for the whole volume (prepareVolume). */
export async function classifyWholeScan(model: LoadedModel, scan: Scan | readonly Scan[], file: string, topK = 3): Promise<ClassifyRow> {
  const [output] = await runModel(model, [prepareVolume(scan, model.manifest.input)]);
  return toRow(model, file, output!, topK);
}

/** One input through a 3D model: a volume, series or subject (one file per sequence) is one row; an image is an error row saying why. */
async function classifyWholeVolume(model: LoadedModel, input: ClassifyInput, options: ClassifyJobOptions, limits: DecodeLimits): Promise<WholeVolumeResult | FailedInput> {
  if (input.kind === 'image') return { kind: 'image', file: input.key, error: IMAGE_TO_3D };
  const files = input.kind === 'series' || isSubject(input) ? { files: input.files } : {};
  try {
    const scans = await loadChannels(input, model.manifest.input, limits, { volume: options.volume ?? 0 });
    const row = await classifyWholeScan(model, scans, input.key, options.topK);
    return { kind: input.kind, ...row, ...files };
  } catch (error) {
    return { kind: input.kind, file: input.key, error: oneLine(error), ...files };
  }
}

/**
 * Classifies inputs (see classifyInputs) and yields one result per input, in
 * jobOrder: images in batches with the model's guard verdict, then each
 * volume and series slice by slice. An input's failure is its own row and
 * the rest go on; cancelling stops between batches and volumes and keeps
 * every result already yielded. The guard is the model's one (modelGuard).
 * A 3D model (NCDHW) gives each volume and series one row (classifyWholeVolume).
 */
export async function* classifyJob(model: LoadedModel, inputs: readonly ClassifyInput[], options: ClassifyJobOptions = {}): AsyncGenerator<ClassifyResult> {
  const ordered = jobOrder(inputs);
  if (isVolumeModel(model.manifest)) {
    let done = 0;
    for (const input of ordered) {
      if (options.signal?.aborted) return;
      yield await classifyWholeVolume(model, input, options, options.limits ?? DEFAULT_LIMITS);
      options.onProgress?.(++done, ordered.length);
    }
    return;
  }
  const images = ordered.filter((i) => i.kind === 'image').map((i) => i.key);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const total = ordered.length;
  let done = 0;
  const guard = rowGuard(await modelGuard(model));
  const rows = classifyFiles(model, images, { batchSize: options.batchSize, topK: options.topK, limits, workers: options.workers, signal: options.signal });
  for await (const row of guard(rows)) {
    options.onProgress?.(++done, total);
    yield { kind: 'image', ...row };
  }
  for (const input of ordered.slice(images.length)) {
    if (options.signal?.aborted) return;
    yield await classifyOneVolume(model, input, options, limits);
    options.onProgress?.(++done, total);
  }
}
