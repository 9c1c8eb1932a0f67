import type { OodGuard, OUT_OF_DISTRIBUTION } from '../anomaly/oodGuard';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import { prepareInput } from '../preprocess/prepareInput';
import { resliceScan, type SliceAxis } from '../scan/reslice';
import type { Scan } from '../scan/scan';
import { toRow, type Ranked } from './classify';
import { guardPeaks } from './guardPeaks';
import { imageInput } from '../model/imageInput';

export interface SliceResult {
  readonly slice: number;
  readonly probabilities: readonly number[];
  readonly top: Ranked;
}

/** Per class: the slice where the model was most sure of it. */
export interface ClassPeak {
  readonly label: string;
  readonly slice: number;
  readonly probability: number;
  /** Set when the classifier has a guard (see guardPeaks): its verdict on this slice. */
  readonly anomalyScore?: number;
  readonly anomalyThreshold?: number;
  /** Present when the slice's anomaly score is at or over the threshold. */
  readonly flag?: typeof OUT_OF_DISTRIBUTION;
}

export interface VolumeRow {
  readonly file: string;
  readonly axis: SliceAxis;
  readonly labels: readonly string[];
  readonly slices: readonly SliceResult[];
  readonly peaks: readonly ClassPeak[];
  /** Peak slices the guard could not score. */
  readonly notes?: readonly string[];
}

export interface VolumeOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** The classifier's out-of-distribution guard: each class's peak slice gets its verdict. */
  readonly guard?: Pick<OodGuard, 'scorer'>;
}

/**
 * Classifies every slice of a volume along one axis, in batches, giving the
 * per-slice probability profile and, per class, the slice that scored highest
 * (with the guard's verdict on it, when given). A cancelled run still guards
 * the peaks of the slices it classified.
 */
export async function classifyVolume(model: LoadedModel, scan: Scan, axis: SliceAxis, options: VolumeOptions = {}): Promise<VolumeRow> {
  imageInput(model.manifest, 'slice-by-slice classification', model.manifestPath ?? model.onnxPath);
  const volume = resliceScan(scan, axis);
  const depth = volume.shape[0];
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const slices: SliceResult[] = [];
  for (let start = 0; start < depth; start += batchSize) {
    if (options.signal?.aborted) break;
    const indices = Array.from({ length: Math.min(batchSize, depth - start) }, (_, i) => start + i);
    const inputs = await Promise.all(indices.map(async (z) => (await prepareInput(volume, model.manifest, z)).data));
    const outputs = await runModel(model, inputs);
    outputs.forEach((output, i) => {
      const row = toRow(model, scan.path, output, 1);
      slices.push({ slice: indices[i]!, probabilities: row.probabilities!, top: row.top! });
    });
    options.onProgress?.(slices.length, depth);
  }
  const labels = model.manifest.labels;
  // Stopped before any slice: no class has a peak (rather than slice -1 at probability -Infinity, null in JSON).
  const peaks =
    slices.length === 0
      ? []
      : labels.map((label, c) => {
          let best: ClassPeak = { label, slice: -1, probability: -Infinity };
          for (const s of slices) if (s.probabilities[c]! > best.probability) best = { label, slice: s.slice, probability: s.probabilities[c]! };
          return best;
        });
  if (!options.guard) return { file: scan.path, axis, labels, slices, peaks };
  const guarded = await guardPeaks(peaks, volume, options.guard);
  return { file: scan.path, axis, labels, slices, peaks: guarded.peaks, ...(guarded.notes.length > 0 ? { notes: guarded.notes } : {}) };
}
