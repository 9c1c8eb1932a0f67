import { ScanLensError, oneLine } from '../errors';
import { modelProtoType, toInt, type GraphProto, type ModelProto } from './onnxSchema';

/** Decodes ONNX bytes; a file that is not an ONNX model is reported as such. */
export function decodeModel(bytes: Uint8Array, file?: string): ModelProto & { graph: GraphProto } {
  let model: ModelProto;
  try {
    model = modelProtoType().decode(bytes) as unknown as ModelProto;
  } catch (error) {
    throw new ScanLensError(`not a readable ONNX model (${oneLine(error)})`, file);
  }
  if (!model.graph) throw new ScanLensError('ONNX model has no graph', file);
  return model as ModelProto & { graph: GraphProto };
}

export function encodeModel(model: ModelProto): Uint8Array {
  return modelProtoType()
    .encode(model as never)
    .finish();
}

/** The version of the default ('' or 'ai.onnx') operator set the model imports. */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return toInt(entry?.version);
}
