import { ScanLensError } from '../errors';

/**
 * Activations (or gradients) as K channel maps of D×H×W, channel-first. CNN
 * tensors are [1,K,H,W] (depth 1) or, in a 3D model, [1,K,D,H,W];
 * transformer tokens [1,T,D] become D maps over the patch grid, the class
 * token dropped when T−1 is a square.
 */
export interface FeatureMaps {
  readonly channels: number;
  /** 1 but for a 3D model's [1,K,D,H,W] map. */
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  /** channels × depth × height × width. */
  readonly data: Float32Array;
  readonly tokens: boolean;
}

export function toFeatureMaps(data: Float32Array, dims: readonly number[], tensor: string): FeatureMaps {
  if (dims.length === 4 && dims[0] === 1) {
    const [, channels, height, width] = dims as [number, number, number, number];
    return { channels, depth: 1, height, width, data, tokens: false };
  }
  if (dims.length === 5 && dims[0] === 1) {
    const [, channels, depth, height, width] = dims as [number, number, number, number, number];
    return { channels, depth, height, width, data, tokens: false };
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
    return { channels: depth, depth: 1, height: side, width: side, data: out, tokens: true };
  }
  throw new ScanLensError(`tensor '${tensor}' has shape [${dims.join(', ')}]; explanations need a [1,C,H,W] feature map, a 3D model's [1,C,D,H,W] or [1,tokens,dim] transformer tokens`);
}

/** Positions per channel: D·H·W. */
export function positions(maps: Pick<FeatureMaps, 'depth' | 'height' | 'width'>): number {
  return maps.depth * maps.height * maps.width;
}
