import { ScanLensError } from '../errors';

/**
 * Activations (or gradients) as K channel maps of H×W, channel-first. CNN
 * tensors are [1,K,H,W]; transformer tokens [1,T,D] become D maps over the
 * patch grid, the class token dropped when T−1 is a square.
 */
export interface FeatureMaps {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** channels × height × width. */
  readonly data: Float32Array;
  readonly tokens: boolean;
}

export function toFeatureMaps(data: Float32Array, dims: readonly number[], tensor: string): FeatureMaps {
  if (dims.length === 4 && dims[0] === 1) {
    const [, channels, height, width] = dims as [number, number, number, number];
    return { channels, height, width, data, tokens: false };
  }
  if (dims.length === 3 && dims[0] === 1) {
    const [, count, depth] = dims as [number, number, number];
    const withClass = Math.round(Math.sqrt(count - 1));
    const plain = Math.round(Math.sqrt(count));
    let skip: number;
    let side: number;
    if (withClass * withClass === count - 1) [skip, side] = [1, withClass];
    else if (plain * plain === count) [skip, side] = [0, plain];
    else throw new ScanLensError(`tensor '${tensor}' has ${count} tokens, which is neither a square patch grid nor one plus a square`);
    const out = new Float32Array(depth * side * side);
    for (let t = 0; t < side * side; t++) {
      for (let d = 0; d < depth; d++) out[d * side * side + t] = data[(t + skip) * depth + d]!;
    }
    return { channels: depth, height: side, width: side, data: out, tokens: true };
  }
  throw new ScanLensError(`tensor '${tensor}' has shape [${dims.join(', ')}]; explanations need a [1,C,H,W] feature map or [1,tokens,dim] transformer tokens`);
}
