import type { FeatureMaps } from '../featureMaps';

/** The sums the CAM family shares, in plain loops (typed-array `from` with a callback takes V8's slow path on the per-image path). */

export const relu = (v: number): number => (v > 0 ? v : 0);

export function reluToFloat32(values: Float64Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = relu(values[i]!);
  return out;
}

/** Σ_k w_k · A_k, then ReLU. */
export function weightedSum(act: FeatureMaps, weights: ArrayLike<number>): Float32Array {
  const hw = act.height * act.width;
  const { data } = act;
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    const from = k * hw;
    for (let i = 0; i < hw; i++) out[i]! += w * data[from + i]!;
  }
  return reluToFloat32(out);
}

/** Σ_k f(A_k, G_k) per position, then ReLU. */
export function elementwiseSum(act: FeatureMaps, grad: FeatureMaps, f: (a: number, g: number) => number): Float32Array {
  const hw = act.height * act.width;
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) for (let i = 0; i < hw; i++) out[i]! += f(act.data[k * hw + i]!, grad.data[k * hw + i]!);
  return reluToFloat32(out);
}

/** Per channel k, weight(A, G, from, to) over the k-th H×W plane [from, to): offsets, not 2K subarray views. */
export function channelWeights(act: FeatureMaps, grad: FeatureMaps, weight: (a: Float32Array, g: Float32Array, from: number, to: number) => number): Float64Array {
  const hw = act.height * act.width;
  const weights = new Float64Array(act.channels);
  for (let k = 0; k < act.channels; k++) weights[k] = weight(act.data, grad.data, k * hw, (k + 1) * hw);
  return weights;
}

export const sum = (a: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
};
