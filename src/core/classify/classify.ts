import { ScanLensError, oneLine } from '../errors';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import { prepareInput } from '../preprocess/prepareInput';
import type { DecodeLimits } from '../scan/limits';
import { DEFAULT_LIMITS } from '../scan/limits';
import { loadScan } from '../scan/loadScan';
import { looksLikeProbabilities, softmax } from './softmax';

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
}

export interface ClassifyOptions {
  /** Files per inference batch. */
  readonly batchSize?: number;
  /** How many ranked classes to report per file. */
  readonly topK?: number;
  readonly limits?: DecodeLimits;
  readonly signal?: AbortSignal;
  /** Called after each file with the count done so far. */
  readonly onProgress?: (done: number, total: number, file: string) => void;
}

/** Ranks classes by probability, highest first. */
export function rank(labels: readonly string[], probabilities: readonly number[], k: number): Ranked[] {
  return probabilities
    .map((probability, i) => ({ label: labels[i]!, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.max(1, k));
}

/** Turns one raw model output into a result row. */
export function toRow(model: LoadedModel, file: string, output: Float32Array, topK: number, notes: string[] = []): ClassifyRow {
  const { labels } = model.manifest;
  if (output.length !== labels.length) {
    throw new ScanLensError(`model gave ${output.length} outputs for ${labels.length} labels`, model.manifestPath ?? model.onnxPath);
  }
  const alreadyProbabilities =
    model.manifest.output.type === 'probabilities' || (model.outputTypeGuessed && looksLikeProbabilities(output));
  if (model.outputTypeGuessed) {
    notes.push(alreadyProbabilities ? 'output already sums to 1: used as probabilities' : 'output taken as logits: softmax applied');
  }
  const probabilities = alreadyProbabilities ? Array.from(output) : softmax(output);
  const ranked = rank(labels, probabilities, topK);
  return {
    file,
    labels,
    probabilities,
    top: ranked[0]!,
    topK: ranked,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

interface Prepared {
  readonly file: string;
  readonly data?: Float32Array;
  readonly notes: string[];
  readonly error?: string;
}

async function prepareFile(model: LoadedModel, file: string, limits: DecodeLimits): Promise<Prepared> {
  try {
    const scan = await loadScan(file, limits);
    const notes: string[] = [];
    if (scan.shape[0] > 1) notes.push(`file has ${scan.shape[0]} pages: classified the first`);
    const { data } = await prepareInput(scan, model.manifest, 0);
    return { file, data, notes };
  } catch (error) {
    return { file, notes: [], error: oneLine(error) };
  }
}

/**
 * Classifies files in batches and yields one row per file, in input order. A
 * bad file becomes an error row and the rest go on; cancellation stops
 * between batches and keeps every row already yielded.
 */
export async function* classifyFiles(model: LoadedModel, files: readonly string[], options: ClassifyOptions = {}): AsyncGenerator<ClassifyRow> {
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const topK = options.topK ?? 3;
  const limits = options.limits ?? DEFAULT_LIMITS;
  let done = 0;
  for (let start = 0; start < files.length; start += batchSize) {
    if (options.signal?.aborted) return;
    const chunk = files.slice(start, start + batchSize);
    const prepared = await Promise.all(chunk.map((file) => prepareFile(model, file, limits)));
    const ready = prepared.filter((p) => p.data !== undefined);
    let outputs: Float32Array[] = [];
    let batchError: string | undefined;
    try {
      outputs = await runModel(model, ready.map((p) => p.data!));
    } catch (error) {
      batchError = oneLine(error);
    }
    for (const item of prepared) {
      let row: ClassifyRow;
      if (item.error !== undefined) row = { file: item.file, error: item.error };
      else if (batchError !== undefined) row = { file: item.file, error: batchError };
      else {
        try {
          row = toRow(model, item.file, outputs[ready.indexOf(item)]!, topK, item.notes);
        } catch (error) {
          row = { file: item.file, error: oneLine(error) };
        }
      }
      done++;
      options.onProgress?.(done, files.length, item.file);
      yield row;
    }
  }
}
