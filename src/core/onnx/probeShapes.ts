import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ScanLensError, oneLine } from '../errors';
import { ort } from '../native/ort';
import { GraphBuilder } from './graphBuilder';
import { decodeModel, encodeModel } from './modelProto';

/**
 * Runs the model once with the named tensors exposed as outputs and returns
 * their runtime shapes (and values): ONNX files rarely carry full shape
 * information, and one run answers exactly.
 */
export async function probeTensors(modelBytes: Uint8Array, names: readonly string[], feeds: Record<string, Tensor>, file: string): Promise<Map<string, Tensor>> {
  const model = decodeModel(modelBytes, file);
  const builder = new GraphBuilder(model.graph);
  const wanted = names.filter((n) => !(n in feeds));
  for (const name of wanted) builder.exposeOutput(name, null);
  let session: InferenceSession | undefined;
  try {
    session = await ort().InferenceSession.create(encodeModel(model), { logSeverityLevel: 3, graphOptimizationLevel: 'basic' });
    const results = await session.run(feeds, wanted);
    const out = new Map<string, Tensor>(Object.entries(feeds));
    for (const name of wanted) out.set(name, results[name]!);
    return out;
  } catch (error) {
    throw new ScanLensError(`could not run the model with inner tensors exposed (${oneLine(error)})`, file);
  } finally {
    await session?.release();
  }
}
