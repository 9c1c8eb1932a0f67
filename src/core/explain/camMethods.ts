import type { FeatureMaps } from './featureMaps';

/**
 * The gradient CAM family, as pytorch-grad-cam defines each method. Every map
 * is H×W at the target layer's resolution, after the method's ReLU.
 */

export const GRADIENT_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam'] as const;
export type GradientMethod = (typeof GRADIENT_METHODS)[number];

const relu = (v: number): number => (v > 0 ? v : 0);

/** Σ_k w_k · A_k, then ReLU. */
function weightedSum(act: FeatureMaps, weights: ArrayLike<number>): Float32Array {
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
function elementwiseSum(act: FeatureMaps, grad: FeatureMaps, f: (a: number, g: number) => number): Float32Array {
  const hw = act.height * act.width;
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) for (let i = 0; i < hw; i++) out[i]! += f(act.data[k * hw + i]!, grad.data[k * hw + i]!);
  return reluToFloat32(out);
}

/** A plain loop: typed-array `from` with a callback takes V8's slow generic path. */
function reluToFloat32(values: Float64Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = relu(values[i]!);
  return out;
}

/** Per channel k, weight(A, G, from, to) over the k-th H×W plane [from, to): offsets, not 2K subarray views, on the per-image path. */
function channelWeights(act: FeatureMaps, grad: FeatureMaps, weight: (a: Float32Array, g: Float32Array, from: number, to: number) => number): Float64Array {
  const hw = act.height * act.width;
  const weights = new Float64Array(act.channels);
  for (let k = 0; k < act.channels; k++) weights[k] = weight(act.data, grad.data, k * hw, (k + 1) * hw);
  return weights;
}

const sum = (a: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
};

export function gradientCam(method: GradientMethod, act: FeatureMaps, grad: FeatureMaps): Float32Array {
  switch (method) {
    case 'gradcam':
      return weightedSum(act, channelWeights(act, grad, (_a, g, from, to) => sum(g, from, to) / (to - from)));
    case 'hirescam':
      return elementwiseSum(act, grad, (a, g) => a * g);
    case 'layercam':
      return elementwiseSum(act, grad, (a, g) => a * relu(g));
    case 'xgradcam':
      return weightedSum(act, channelWeights(act, grad, (a, g, from, to) => {
        let num = 0;
        for (let i = from; i < to; i++) num += a[i]! * g[i]!;
        return num / (sum(a, from, to) + 1e-7);
      }));
    case 'gradcam++':
      return weightedSum(act, channelWeights(act, grad, (a, g, from, to) => {
        const total = sum(a, from, to);
        let w = 0;
        for (let i = from; i < to; i++) {
          const g1 = g[i]!;
          if (g1 === 0) continue;
          const g2 = g1 * g1;
          const alpha = g2 / (2 * g2 + total * g2 * g1 + 1e-7);
          w += relu(g1) * alpha;
        }
        return w;
      }));
  }
}
