import { ScanLensError } from '../errors';
import { TensorType, toInt, type TensorProto } from './onnxSchema';

/** The values of a small constant tensor (initializer or Constant), as numbers. */
export function tensorValues(tensor: TensorProto): number[] {
  const type = tensor.dataType ?? 0;
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    if (type === TensorType.FLOAT) for (let i = 0; i < raw.length; i += 4) out.push(view.getFloat32(i, true));
    else if (type === TensorType.DOUBLE) for (let i = 0; i < raw.length; i += 8) out.push(view.getFloat64(i, true));
    else if (type === TensorType.INT64) for (let i = 0; i < raw.length; i += 8) out.push(Number(view.getBigInt64(i, true)));
    else if (type === TensorType.INT32) for (let i = 0; i < raw.length; i += 4) out.push(view.getInt32(i, true));
    else throw new ScanLensError(`constant '${tensor.name ?? ''}' has ONNX data type ${type}, which ScanLens does not read`);
    return out;
  }
  if (tensor.externalData && tensor.externalData.length > 0) throw new ScanLensError(`constant '${tensor.name ?? ''}' is stored outside the model file`);
  if (type === TensorType.FLOAT) return [...(tensor.floatData ?? [])];
  if (type === TensorType.DOUBLE) return [...(tensor.doubleData ?? [])];
  if (type === TensorType.INT64) return (tensor.int64Data ?? []).map(toInt);
  if (type === TensorType.INT32) return [...(tensor.int32Data ?? [])];
  throw new ScanLensError(`constant '${tensor.name ?? ''}' has ONNX data type ${type}, which ScanLens does not read`);
}

export function tensorDims(tensor: TensorProto): number[] {
  return tensor.dims.map(toInt);
}

export function floatTensor(name: string, values: ArrayLike<number>, dims: readonly number[]): TensorProto {
  const data = Float32Array.from(values);
  return { name, dims: [...dims], dataType: TensorType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

export function int64Tensor(name: string, values: ArrayLike<number>, dims: readonly number[]): TensorProto {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims: [...dims], dataType: TensorType.INT64, rawData: new Uint8Array(data.buffer) };
}
