import type { OUT_OF_DISTRIBUTION } from '../anomaly/oodGuard';
import { ScanLensError, oneLine } from '../errors';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import type { DecodeLimits } from '../scan/limits';
import { DEFAULT_LIMITS } from '../scan/limits';
import { prefetched } from './prefetch';
import { prepareFile, type Prepared } from './prepareFile';
import { acquirePool, defaultWorkers } from './preparePool';
import { looksLikeProbabilities, scaledSoftmax } from '../model/softmax';
import { apsSet } from '../train/conformal';

export interface Ranked {
  readonly label: string;
  readonly probability: number;
}

/** One file's result: probabilities, or the one-line reason it failed. */
export interface ClassifyRow {
  readonly file: string;
  readonly labels?: readonly string[];
  readonly probabilities?: readonly number[];
  readonly top?: Ranked;
  readonly topK?: readonly Ranked[];
  readonly notes?: readonly string[];
  readonly error?: string;
  /** The classes of the model's conformal prediction set (manifest output.conformal), most probable first. */
  readonly predictionSet?: readonly string[];
  /** Set when the classifier's manifest names a detector (see guardRows). */
  readonly anomalyScore?: number;
  readonly anomalyThreshold?: number;
  /** Present when the anomaly score is at or over the threshold. */
  readonly flag?: typeof OUT_OF_DISTRIBUTION;
}

export interface ClassifyOptions {
  /** Files per inference batch. */
  readonly batchSize?: number;
  /** Batches decoded ahead while one runs; memory is bounded by (prefetch + 1) batches. Default 2. */
  readonly prefetch?: number;
  /**
   * Decode + preprocess worker threads; 0 decodes in this thread. Default:
   * defaultWorkers() from POOL_THRESHOLD files on, else 0, since starting
   * workers costs more than a few files take.
   */
  readonly workers?: number;
  /** How many ranked classes to report per file. */
  readonly topK?: number;
  readonly limits?: DecodeLimits;
  readonly signal?: AbortSignal;
  /** Called after each file with the count done so far. */
  readonly onProgress?: (done: number, total: number, file: string) => void;
}

/** The k most probable classes, highest first; ties keep label order. One pass, since models may have a thousand classes. */
export function rank(labels: readonly string[], probabilities: readonly number[], k: number): Ranked[] {
  const keep = Math.max(1, k);
  const best: number[] = [];
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (best.length === keep && !(p > probabilities[best[keep - 1]!]!)) continue;
    let at = best.length;
    while (at > 0 && p > probabilities[best[at - 1]!]!) at--;
    best.splice(at, 0, i);
    if (best.length > keep) best.pop();
  }
  return best.map((i) => ({ label: labels[i]!, probability: probabilities[i]! }));
}

/** Turns one raw model output into a result row. */
export function toRow(model: LoadedModel, file: string, output: Float32Array, topK: number, notes: string[] = []): ClassifyRow {
  const { labels } = model.manifest;
  if (output.length !== labels.length) {
    throw new ScanLensError(`model gave ${output.length} outputs for ${labels.length} labels`, model.manifestPath ?? model.onnxPath);
  }
  const alreadyProbabilities = model.manifest.output.type === 'probabilities' || (model.outputTypeGuessed && looksLikeProbabilities(output));
  if (model.outputTypeGuessed) {
    notes.push(alreadyProbabilities ? 'output already sums to 1: used as probabilities' : 'output taken as logits: softmax applied');
  }
  const probabilities = alreadyProbabilities ? Array.from(output) : scaledSoftmax(output, model.manifest.output.temperature);
  // NaN or ±Infinity would reach JSON as null and pass for a result: every surface's row (images, volume slices) comes through here.
  if (!probabilities.every(Number.isFinite)) {
    const raw = output.findIndex((v) => !Number.isFinite(v));
    const at = raw >= 0 ? raw : probabilities.findIndex((p) => !Number.isFinite(p));
    throw new ScanLensError(`model output for '${labels[at]!}' is not finite (${output[at]}${raw >= 0 ? '' : ', NaN after softmax'}): no probabilities to report`, file);
  }
  const ranked = rank(labels, probabilities, topK);
  const conformal = model.manifest.output.conformal;
  return {
    file,
    labels,
    probabilities,
    top: ranked[0]!,
    topK: ranked,
    ...(conformal ? { predictionSet: apsSet(probabilities, conformal.threshold).map((c) => labels[c]!) } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** Below this many files, starting worker threads costs more than it saves. */
export const POOL_THRESHOLD = 64;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/**
 * Classifies files in batches and yields one row per file, in input order.
 * The next batch decodes (in worker threads for large inputs) while this one
 * runs, so inference rarely waits. A bad file becomes an error row
 * and the rest go on; cancellation stops between batches and keeps every row
 * already yielded.
 */
export async function* classifyFiles(model: LoadedModel, files: readonly string[], options: ClassifyOptions = {}): AsyncGenerator<ClassifyRow> {
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const topK = options.topK ?? 3;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const workers = options.workers ?? (files.length >= POOL_THRESHOLD ? defaultWorkers() : 0);
  const depth = Math.max(0, options.prefetch ?? 2);
  const { channels, size } = model.manifest.input;
  const itemLength = channels * size.width * size.height;
  const lease = workers > 0 ? acquirePool(model.manifest, limits, workers) : undefined;
  // Workers write inputs straight into shared batch buffers, used in turn: at most depth + 2 batches are alive at once
  // (one running, depth + 1 decoding), and reusing them, like the one run buffer, keeps large arrays away from the garbage collector.
  const ring = lease ? Array.from({ length: depth + 2 }, () => new SharedArrayBuffer(batchSize * itemLength * Float32Array.BYTES_PER_ELEMENT)) : [];
  const prepareBatch = (chunk: readonly string[], index: number): Promise<Prepared[]> => {
    if (!lease) return Promise.all(chunk.map((file) => prepareFile(model.manifest, file, limits)));
    const buffer = ring[index % ring.length]!;
    return lease.pool.prepareAll(
      chunk,
      chunk.map((_, i) => ({ buffer, offset: i * itemLength, length: itemLength })),
    );
  };
  const runBuffer = new Float32Array(Math.min(batchSize, files.length) * itemLength);
  let done = 0;
  try {
    for await (const prepared of prefetched(chunks(files, batchSize), depth, prepareBatch)) {
      if (options.signal?.aborted) return;
      for (const row of await inferBatch(model, prepared, topK, runBuffer)) {
        done++;
        options.onProgress?.(done, files.length, row.file);
        yield row;
      }
    }
  } finally {
    lease?.release();
  }
}

/** One inference run for a batch's good files; a failed run fails only that batch's rows. */
async function inferBatch(model: LoadedModel, prepared: readonly Prepared[], topK: number, runBuffer: Float32Array): Promise<ClassifyRow[]> {
  const ready = prepared.filter((p) => p.data !== undefined);
  let outputs: Float32Array[] = [];
  let batchError: string | undefined;
  try {
    outputs = await runModel(
      model,
      ready.map((p) => p.data!),
      runBuffer,
    );
  } catch (error) {
    batchError = oneLine(error);
  }
  return prepared.map((item) => {
    if (item.error !== undefined) return { file: item.file, error: item.error };
    if (batchError !== undefined) return { file: item.file, error: batchError };
    try {
      return toRow(model, item.file, outputs[ready.indexOf(item)]!, topK, item.notes);
    } catch (error) {
      return { file: item.file, error: oneLine(error) };
    }
  });
}
