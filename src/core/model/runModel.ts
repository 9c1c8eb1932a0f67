import { ScanLensError, oneLine } from '../errors';
import { ort } from '../native/ort';
import type { LoadedModel } from './loadModel';

function inputDims(model: LoadedModel, batch: number): number[] {
  const { layout, channels, size } = model.manifest.input;
  return layout === 'NCHW' ? [batch, channels, size.height, size.width] : [batch, size.height, size.width, channels];
}

/** One contiguous batch buffer; a single item is passed as it is, without a copy. */
function stack(items: readonly Float32Array[]): Float32Array {
  if (items.length === 1) return items[0]!;
  const itemLength = items[0]!.length;
  const stacked = new Float32Array(itemLength * items.length);
  items.forEach((item, i) => stacked.set(item, i * itemLength));
  return stacked;
}

async function runStacked(model: LoadedModel, items: readonly Float32Array[]): Promise<Float32Array[]> {
  const feeds = { [model.inputName]: new (ort().Tensor)('float32', stack(items), inputDims(model, items.length)) };
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
 */
export async function runModel(model: LoadedModel, items: readonly Float32Array[]): Promise<Float32Array[]> {
  if (items.length === 0) return [];
  if (model.batchable) return runStacked(model, items);
  const outputs: Float32Array[] = [];
  for (const item of items) outputs.push(...(await runStacked(model, [item])));
  return outputs;
}
