/**
 * Per-pixel reconstruction error: the squared difference between a model's
 * input and its reconstruction, averaged over channels. Both tensors share
 * the model's input layout.
 */
export function reconstructionError(input: Float32Array, output: Float32Array, layout: 'NCHW' | 'NHWC', channels: number, pixels: number): Float32Array {
  if (input.length !== output.length || input.length !== channels * pixels) throw new RangeError(`reconstruction has ${output.length} values; the input has ${input.length}`);
  const error = new Float32Array(pixels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < pixels; i++) {
      const at = layout === 'NCHW' ? c * pixels + i : i * channels + c;
      const diff = input[at]! - output[at]!;
      error[i]! += (diff * diff) / channels;
    }
  }
  return error;
}
