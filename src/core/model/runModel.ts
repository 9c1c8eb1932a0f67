import { ScanLensError, oneLine } from '../errors';
import { ort } from '../native/ort';
import type { LoadedModel } from './loadModel';
import { inputDims } from './checkManifest';

/**
 * One contiguous batch buffer, in `into` when it is large enough (a pipeline
 * reuses one, sparing the garbage collector a batch-sized array per run). A
 * single item is passed as it is unless it lives in shared memory, which
 * onnxruntime refuses.
 */
function stack(items: readonly Float32Array[], into?: Float32Array): Float32Array {
  if (items.length === 1 && !(items[0]!.buffer instanceof SharedArrayBuffer)) return items[0]!;
  const itemLength = items[0]!.length;
  const length = itemLength * items.length;
  const stacked = into && into.length >= length ? into.subarray(0, length) : new Float32Array(length);
  items.forEach((item, i) => stacked.set(item, i * itemLength));
  return stacked;
}

async function runStacked(model: LoadedModel, items: readonly Float32Array[], into?: Float32Array): Promise<Float32Array[]> {
  const feeds = { [model.inputName]: new (ort().Tensor)('float32', stack(items, into), inputDims(model.manifest.input, items.length)) };
  let output;
  try {
    const results = await model.session.run(feeds, [model.outputName]);
    output = results[model.outputName]!;
  } catch (error) {
    throw new ScanLensError(`inference failed (${oneLine(error)})`, model.onnxPath);
  }
  if (output.type !== 'float32') throw new ScanLensError(`output '${model.outputName}' is ${output.type}; expected float32`, model.onnxPath);
  const data = output.data as Float32Array;
  const per = data.length / items.length;
  // Views, not copies: the output buffer is fresh per run and owned by nobody else.
  return items.map((_, i) => data.subarray(i * per, (i + 1) * per));
}

/**
 * Runs prepared inputs through the model, as one batch when the graph allows
 * it and one by one when it fixes batch size 1. Returns each item's output.
 * `into` is scratch space for the batch, free again once this returns.
 */
export async function runModel(model: LoadedModel, items: readonly Float32Array[], into?: Float32Array): Promise<Float32Array[]> {
  if (items.length === 0) return [];
  if (model.batchable) return runStacked(model, items, into);
  const outputs: Float32Array[] = [];
  for (const item of items) outputs.push(...(await runStacked(model, [item], into)));
  return outputs;
}
