import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { ort } from '../native/ort';

/** What a long explanation reports and obeys: progress in runs of the model, and a signal that stops it between batches. */
export interface RunControl {
  readonly signal?: AbortSignal;
  /** Called after each batch with the perturbations scored so far and their total; the last call has done === total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Thrown when the signal aborts an explanation: nothing partial is returned or written. */
export class ExplainCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'ExplainCancelled';
  }
}

export function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExplainCancelled();
}

/**
 * Class scores of edited copies of one tensor (the model input, or the target
 * layer's activations): `fill(i, into)` writes copy i into a zeroed-or-stale
 * slot of exactly one item's length. Copies go through onnxruntime in
 * batches, built straight into one reused buffer.
 */
export interface Perturbations {
  scores(count: number, fill: (index: number, into: Float32Array) => void): Promise<Float32Array>;
}

export interface PerturbationSession {
  readonly session: InferenceSession;
  /** The fed tensor's name and one item's dims, batch first (1). */
  readonly input: string;
  readonly dims: readonly number[];
  /** The output holding the class scores, [batch, classes]. */
  readonly output: string;
  /** Other feeds, the same for every copy, batch 1; tiled over a batch, so when `batchable` each must be float32 with batch 1. */
  readonly extra?: Record<string, Tensor>;
  /** Feeds given as they are to every run, whatever its batch (the randomisation check's weights). */
  readonly fixed?: Readonly<Record<string, Tensor>>;
  /** False when the graph fixes batch 1: one run per copy. */
  readonly batchable: boolean;
  /** For messages. */
  readonly file: string;
}

/** Copies per run: about 10 MB of input per batch, at most 32 (ResNet-18 at 224²: 16 images; its 512×7×7 activations: 32). */
export function batchSizeFor(itemLength: number): number {
  return Math.max(1, Math.min(32, Math.floor(2_500_000 / itemLength)));
}

function tiled(data: Float32Array, times: number): Float32Array {
  if (times === 1) return data;
  const out = new Float32Array(data.length * times);
  for (let i = 0; i < times; i++) out.set(data, i * data.length);
  return out;
}

/**
 * The runner behind Perturbations: batches of `batch` copies (1 when the model
 * is not batchable), progress after each, the signal checked before each.
 * A copy's score is its class output, or what `scoreOf` makes of its whole
 * output row (the scorecard's class probability).
 */
export function perturbations(target: PerturbationSession, classIndex: number, control: RunControl = {}, scoreOf?: (row: Float32Array) => number): Perturbations {
  const itemLength = target.dims.reduce((a, b) => a * b, 1);
  return {
    async scores(count, fill) {
      const batch = target.batchable ? batchSizeFor(itemLength) : 1;
      const buffer = new Float32Array(Math.min(batch, count) * itemLength);
      const scores = new Float32Array(count);
      const tiledExtra = new Map<number, Record<string, Tensor>>([[1, target.extra ?? {}]]);
      const extraFor = (n: number): Record<string, Tensor> => {
        let feeds = tiledExtra.get(n);
        if (!feeds) {
          feeds = {};
          for (const [name, t] of Object.entries(target.extra ?? {})) feeds[name] = new (ort().Tensor)('float32', tiled(t.data as Float32Array, n), [n, ...t.dims.slice(1)]);
          tiledExtra.set(n, feeds);
        }
        return feeds;
      };
      for (let start = 0; start < count; start += batch) {
        checkCancelled(control.signal);
        const n = Math.min(batch, count - start);
        for (let i = 0; i < n; i++) fill(start + i, buffer.subarray(i * itemLength, (i + 1) * itemLength));
        const feeds = { ...extraFor(n), ...target.fixed, [target.input]: new (ort().Tensor)('float32', buffer.subarray(0, n * itemLength), [n, ...target.dims.slice(1)]) };
        let result;
        try {
          result = (await target.session.run(feeds, [target.output]))[target.output]!;
        } catch (error) {
          throw new ScanLensError(`inference failed (${oneLine(error)})`, target.file);
        }
        const data = result.data as Float32Array;
        if (result.type !== 'float32' || Number(result.dims[0]) !== n || data.length % n !== 0) {
          throw new ScanLensError(`output '${target.output}' has shape [${result.dims.join(', ')}] for a batch of ${n}; expected [${n}, classes]`, target.file);
        }
        const per = data.length / n;
        if (classIndex >= per) throw new ScanLensError(`class index ${classIndex} is outside the ${per} outputs`, target.file);
        for (let i = 0; i < n; i++) scores[start + i] = scoreOf ? scoreOf(data.subarray(i * per, (i + 1) * per)) : data[i * per + classIndex]!;
        control.onProgress?.(start + n, count);
      }
      checkCancelled(control.signal);
      return scores;
    },
  };
}
