/**
 * The limits ScanLens is measured against: onnxruntime used directly, with
 * no ScanLens code in the loop — on ready tensors, and as the plain
 * decode → resize → normalise → run loop a user would write with sharp.
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { LoadedModel } from '../src/core/model/loadModel';

export function plainSession(path: string | Uint8Array, threads: number): Promise<ort.InferenceSession> {
  // ScanLens' own session settings, spin-waiting off included: on a loaded machine spinning threads slow the baseline, which would flatter ScanLens.
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  return typeof path === 'string' ? ort.InferenceSession.create(path, options) : ort.InferenceSession.create(path, options);
}

export function dims(model: LoadedModel, batch: number): number[] {
  const { channels, size } = model.manifest.input;
  return [batch, channels, size.height, size.width];
}

/** Every `count` ready tensors through the session in batches of `batch`. */
export async function ortOnTensors(session: ort.InferenceSession, model: LoadedModel, tensors: readonly Float32Array[], count: number, batch: number): Promise<void> {
  const itemLength = tensors[0]!.length;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const stacked = new Float32Array(itemLength * n);
    for (let i = 0; i < n; i++) stacked.set(tensors[(start + i) % tensors.length]!, i * itemLength);
    await session.run({ [model.inputName]: new ort.Tensor('float32', stacked, dims(model, n)) });
  }
}

/** Grey models only (the demo model): sharp decodes and resizes, JS normalises, then one run per batch. */
export async function plainDecodeLoop(session: ort.InferenceSession, model: LoadedModel, files: readonly string[], batch: number): Promise<void> {
  const { size } = model.manifest.input;
  const mean = model.manifest.input.mean?.[0] ?? 0;
  const std = model.manifest.input.std?.[0] ?? 1;
  const itemLength = size.width * size.height;
  for (let start = 0; start < files.length; start += batch) {
    const chunk = files.slice(start, start + batch);
    const pixels = await Promise.all(chunk.map((f) => sharp(f).greyscale().resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer()));
    const stacked = new Float32Array(itemLength * chunk.length);
    pixels.forEach((p, i) => {
      for (let k = 0; k < itemLength; k++) stacked[i * itemLength + k] = (p[k]! / 255 - mean) / std;
    });
    await session.run({ [model.inputName]: new ort.Tensor('float32', stacked, dims(model, chunk.length)) });
  }
}
