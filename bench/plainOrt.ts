/**
 * The limits ScanLens is measured against: onnxruntime used directly, with
 * no ScanLens code in the loop — on ready tensors, and as the plain
 * decode → resize → normalise → run loop a user would write with sharp.
 */
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { LoadedModel } from '../src/core/model/loadModel';
import { sessionOptions } from '../src/core/model/sessionOptions';

/**
 * How a baseline session's idle threads wait: as ScanLens' own sessions do
 * (spinning during a run, stopped when it returns), never spinning, or
 * onnxruntime's default of spinning on after a run too, which is fastest in a
 * tight loop on an otherwise idle machine and slows whatever runs next.
 */
export type Spinning = 'during-runs' | 'never' | 'always';

export function plainSession(path: string | Uint8Array, threads: number, spinning: Spinning = 'during-runs'): Promise<ort.InferenceSession> {
  const base = sessionOptions('cpu', threads);
  const session = spinning === 'during-runs' ? {} : { extra: { session: { intra_op: { allow_spinning: spinning === 'never' ? '0' : '1' } } } };
  const options: ort.InferenceSession.SessionOptions = { ...base, ...session };
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

/** Grey or RGB models in NCHW: sharp decodes and resizes, JS normalises, then one run per batch. */
export async function plainDecodeLoop(session: ort.InferenceSession, model: LoadedModel, files: readonly string[], batch: number): Promise<void> {
  const { size, channels } = model.manifest.input;
  const mean = Array.from({ length: channels }, (_, c) => model.manifest.input.mean?.[c] ?? model.manifest.input.mean?.[0] ?? 0);
  const std = Array.from({ length: channels }, (_, c) => model.manifest.input.std?.[c] ?? model.manifest.input.std?.[0] ?? 1);
  const plane = size.width * size.height;
  const itemLength = plane * channels;
  const decode = (file: string): Promise<Buffer> => {
    const image = sharp(file).removeAlpha();
    return (channels === 1 ? image.greyscale() : image.toColourspace('srgb')).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer();
  };
  for (let start = 0; start < files.length; start += batch) {
    const chunk = files.slice(start, start + batch);
    const pixels = await Promise.all(chunk.map(decode));
    const stacked = new Float32Array(itemLength * chunk.length);
    pixels.forEach((p, i) => {
      for (let c = 0; c < channels; c++) {
        const offset = i * itemLength + c * plane;
        for (let k = 0; k < plane; k++) stacked[offset + k] = (p[k * channels + c]! / 255 - mean[c]!) / std[c]!;
      }
    });
    await session.run({ [model.inputName]: new ort.Tensor('float32', stacked, dims(model, chunk.length)) });
  }
}
