import { onnx } from './schema/onnx.js';

/**
 * The ONNX messages as protobufjs static code (schema/onnx.js, generated from the
 * vendored schema/onnx.proto by `npm run gen:onnx`) and as the TypeScript shapes
 * ScanLens reads and writes. protobufjs decodes int64 fields as Long objects; `toInt`
 * turns them back into numbers.
 */

export interface Int64Like {
  toNumber(): number;
}
export type Int64 = number | Int64Like;

export const TensorType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface TensorProto {
  name?: string;
  dims: Int64[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  doubleData?: number[];
  rawData?: Uint8Array;
  externalData?: unknown[];
  dataLocation?: number;
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  g?: unknown;
  graphs?: unknown[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: AttributeProto[];
}

export interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim: { dimValue?: Int64; dimParam?: string }[] } } };
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
}

export interface ModelProto {
  irVersion?: Int64;
  opsetImport: { domain?: string; version?: Int64 }[];
  producerName?: string;
  graph?: GraphProto;
  metadataProps: { key?: string; value?: string }[];
}

/** ModelProto's protobufjs decoder and encoder (static code: nothing to parse or generate at run time). */
export function modelProtoType(): typeof onnx.ModelProto {
  return onnx.ModelProto;
}

export function toInt(value: Int64 | undefined): number {
  if (value === undefined || value === null) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
