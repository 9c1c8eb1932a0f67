import { positions, type FeatureMaps } from '../featureMaps';

/** The sums the CAM family shares, in plain loops (typed-array `from` with a callback takes V8's slow path on the per-image path). */

export const relu = (v: number): number => (v > 0 ? v : 0);

export function reluToFloat32(values: Float64Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = relu(values[i]!);
  return out;
}

/** Σ_k w_k · A_k, then ReLU. */
export function weightedSum(act: FeatureMaps, weights: ArrayLike<number>): Float32Array {
  const hw = positions(act);
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
  const hw = positions(act);
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) for (let i = 0; i < hw; i++) out[i]! += f(act.data[k * hw + i]!, grad.data[k * hw + i]!);
  return reluToFloat32(out);
}

/** Per channel k, weight(A, G, from, to) over the k-th H×W plane (D×H×W block) [from, to): offsets, not 2K subarray views. */
export function channelWeights(act: FeatureMaps, grad: FeatureMaps, weight: (a: Float32Array, g: Float32Array, from: number, to: number) => number): Float64Array {
  const hw = positions(act);
  const weights = new Float64Array(act.channels);
  for (let k = 0; k < act.channels; k++) weights[k] = weight(act.data, grad.data, k * hw, (k + 1) * hw);
  return weights;
}

export const sum = (a: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
};

/**
 * What a gradient method sums over channels: per-channel weights (map = Σ_k w_k·A_k) or a
 * function of activation and gradient per element (map = Σ_k f(A_k, G_k)). eigen_smooth
 * projects these terms instead of summing them.
 */
export type CamTerms = { readonly weights: (act: FeatureMaps, grad: FeatureMaps) => ArrayLike<number> } | { readonly elementwise: (a: number, g: number) => number };

/** A gradient method given by its terms: their channel sum, then ReLU; `terms` kept for eigen_smooth. */
export function gradientMethod(terms: CamTerms): { readonly needs: 'gradients'; readonly map: (act: FeatureMaps, grad: FeatureMaps) => Float32Array; readonly terms: CamTerms } {
  const map =
    'weights' in terms ? (act: FeatureMaps, grad: FeatureMaps) => weightedSum(act, terms.weights(act, grad)) : (act: FeatureMaps, grad: FeatureMaps) => elementwiseSum(act, grad, terms.elementwise);
  return { needs: 'gradients', map, terms };
}

/** The terms themselves, channels × (D×)H×W (w_k·A_k, or f(A_k, G_k)), as eigen_smooth projects them. */
export function termMaps(terms: CamTerms, act: FeatureMaps, grad: FeatureMaps): FeatureMaps {
  const hw = positions(act);
  const out = new Float32Array(act.channels * hw);
  if ('weights' in terms) {
    const weights = terms.weights(act, grad);
    for (let k = 0; k < act.channels; k++) {
      const w = weights[k]!;
      for (let i = k * hw; i < (k + 1) * hw; i++) out[i] = w * act.data[i]!;
    }
  } else {
    const f = terms.elementwise;
    for (let i = 0; i < out.length; i++) out[i] = f(act.data[i]!, grad.data[i]!);
  }
  return { ...act, data: out };
}

/** x scaled to unit length in place; its former length. */
function normalise(x: Float64Array): number {
  let norm = 0;
  for (let i = 0; i < x.length; i++) norm += x[i]! * x[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < x.length; i++) x[i]! /= norm;
  return norm;
}

/** out = S·v for a row-major n×n S. */
function multiply(s: Float64Array, v: Float64Array, out: Float64Array): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += s[i * n + j]! * v[j]!;
    out[i] = acc;
  }
}

/** S², scaled so its largest entry is 1 (null when S is 0). */
function squareScaled(s: Float64Array, n: number): Float64Array | null {
  const out = new Float64Array(n * n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let m = 0; m < n; m++) acc += s[i * n + m]! * s[m * n + j]!;
      out[i * n + j] = acc;
      largest = Math.max(largest, Math.abs(acc));
    }
  }
  if (largest === 0) return null;
  for (let i = 0; i < n * n; i++) out[i]! /= largest;
  return out;
}

/**
 * Top eigenvector (unit length) and eigenvalue of a symmetric positive semi-definite n×n
 * matrix (row-major), by power iteration from its column of largest diagonal; when 300
 * steps do not converge (close eigenvalues) the matrix is squared, which squares the
 * ratio of its two largest eigenvalues, and iteration goes on.
 */
function topEigenvector(matrix: Float64Array, n: number): { vector: Float64Array; value: number } {
  let best = 0;
  for (let j = 1; j < n; j++) if (matrix[j * n + j]! > matrix[best * n + best]!) best = j;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = matrix[i * n + best]!;
  if (normalise(v) === 0) return { vector: v, value: 0 };
  const next = new Float64Array(n);
  let s: Float64Array | null = matrix;
  for (let squarings = 0; s && squarings <= 12; squarings++, s = squareScaled(s, n)) {
    let converged = false;
    for (let iter = 0; iter < 300 && !converged; iter++) {
      multiply(s, v, next);
      if (normalise(next) === 0) return { vector: v, value: 0 };
      let change = 0;
      for (let i = 0; i < n; i++) change = Math.max(change, Math.abs(next[i]! - v[i]!));
      v.set(next);
      converged = change < 1e-12;
    }
    if (converged) break;
  }
  multiply(matrix, v, next);
  let value = 0;
  for (let i = 0; i < n; i++) value += v[i]! * next[i]!;
  return { vector: v, value };
}

/**
 * pytorch-grad-cam's get_2d_projection for one map: the maps as an (H·W)×K matrix X (D·H·W in 3D),
 * NaN set to 0, each channel centred over the positions, projected on the first right
 * singular vector v₁ (X·v₁ = σ₁·u₁). The smaller of XᵀX and XXᵀ is decomposed. The
 * singular vector's sign is arbitrary (pytorch-grad-cam keeps LAPACK's); here the
 * projection is turned to correlate positively with the channel sum of the uncentred
 * maps (for EigenCAM the activations, for eigen_smooth the unsmoothed CAM). Before ReLU.
 */
export function firstComponentProjection(maps: FeatureMaps): Float64Array {
  const { channels: k, data } = maps;
  const hw = positions(maps);
  const x = new Float64Array(k * hw);
  const channelSum = new Float64Array(hw);
  for (let c = 0; c < k; c++) {
    let mean = 0;
    for (let i = 0; i < hw; i++) {
      const v = data[c * hw + i]!;
      const clean = Number.isNaN(v) ? 0 : v;
      x[c * hw + i] = clean;
      channelSum[i]! += clean;
      mean += clean;
    }
    mean /= hw;
    for (let i = 0; i < hw; i++) x[c * hw + i]! -= mean;
  }
  const projection = new Float64Array(hw);
  if (k <= hw) {
    const cov = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let acc = 0;
        for (let i = 0; i < hw; i++) acc += x[a * hw + i]! * x[b * hw + i]!;
        cov[a * k + b] = acc;
        cov[b * k + a] = acc;
      }
    }
    const { vector } = topEigenvector(cov, k);
    for (let c = 0; c < k; c++) for (let i = 0; i < hw; i++) projection[i]! += x[c * hw + i]! * vector[c]!;
  } else {
    const gram = new Float64Array(hw * hw);
    for (let c = 0; c < k; c++) {
      const from = c * hw;
      for (let i = 0; i < hw; i++) {
        const xi = x[from + i]!;
        if (xi === 0) continue;
        for (let j = i; j < hw; j++) gram[i * hw + j]! += xi * x[from + j]!;
      }
    }
    for (let i = 0; i < hw; i++) for (let j = 0; j < i; j++) gram[i * hw + j] = gram[j * hw + i]!;
    const { vector, value } = topEigenvector(gram, hw);
    const sigma = Math.sqrt(Math.max(value, 0));
    for (let i = 0; i < hw; i++) projection[i] = sigma * vector[i]!;
  }
  let dot = 0;
  for (let i = 0; i < hw; i++) dot += projection[i]! * channelSum[i]!;
  if (dot < 0) for (let i = 0; i < hw; i++) projection[i] = -projection[i]!;
  return projection;
}

/** pytorch-grad-cam's scale_cam_image without the resize: minimum subtracted, divided by 1e-7 + the new maximum. */
export function scaleCamImage(data: Float32Array): Float32Array {
  let lo = Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! < lo) lo = data[i]!;
  let hi = 0;
  for (let i = 0; i < data.length; i++) hi = Math.max(hi, data[i]! - lo);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i]! - lo) / (1e-7 + hi);
  return out;
}
