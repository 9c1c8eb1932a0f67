import type * as OrtType from 'onnxruntime-node';

let cached: typeof OrtType | undefined;

/** onnxruntime loads a large native library; it is required on first inference only. */
export function ort(): typeof OrtType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require('onnxruntime-node') as typeof OrtType;
  return cached;
}
