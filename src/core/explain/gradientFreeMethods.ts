import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import type { FeatureMaps } from './featureMaps';
import { maskPixels } from './tensorPixels';
import { minMaxNormalise, upsampleMap } from './upsample';

/** EigenCAM, Score-CAM and occlusion: maps that need no gradient. */

export const GRADIENT_FREE_METHODS = ['eigencam', 'scorecam', 'occlusion'] as const;
export type GradientFreeMethod = (typeof GRADIENT_FREE_METHODS)[number];

/**
 * EigenCAM: the activations (positions × channels, centred per channel)
 * projected on their first principal direction, found by power iteration on
 * the channel covariance. The sign is chosen so the map correlates with the
 * mean activation, then ReLU.
 */
export function eigenCam(act: FeatureMaps): Float32Array {
  const { channels: k, height, width, data } = act;
  const hw = height * width;
  const centred = new Float64Array(k * hw);
  for (let c = 0; c < k; c++) {
    let mean = 0;
    for (let i = 0; i < hw; i++) mean += data[c * hw + i]!;
    mean /= hw;
    for (let i = 0; i < hw; i++) centred[c * hw + i] = data[c * hw + i]! - mean;
  }
  let v = new Float64Array(k).fill(1 / Math.sqrt(k));
  for (let iter = 0; iter < 200; iter++) {
    const projected = new Float64Array(hw);
    for (let c = 0; c < k; c++) for (let i = 0; i < hw; i++) projected[i]! += centred[c * hw + i]! * v[c]!;
    const next = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let i = 0; i < hw; i++) next[c]! += centred[c * hw + i]! * projected[i]!;
    const norm = Math.hypot(...next);
    if (norm === 0) break;
    let change = 0;
    for (let c = 0; c < k; c++) change = Math.max(change, Math.abs(next[c]! / norm - v[c]!));
    v = next.map((x) => x / norm);
    if (change < 1e-9) break;
  }
  const projection = new Float64Array(hw);
  for (let c = 0; c < k; c++) for (let i = 0; i < hw; i++) projection[i]! += centred[c * hw + i]! * v[c]!;
  const meanAct = new Float64Array(hw);
  for (let c = 0; c < k; c++) for (let i = 0; i < hw; i++) meanAct[i]! += data[c * hw + i]!;
  let dot = 0;
  for (let i = 0; i < hw; i++) dot += projection[i]! * meanAct[i]!;
  const sign = dot < 0 ? -1 : 1;
  return Float32Array.from(projection, (p) => Math.max(0, sign * p));
}

/** Scores of one class for many inputs, in batches. */
async function classScores(model: LoadedModel, inputs: Float32Array[], classIndex: number, batch = 16): Promise<number[]> {
  const scores: number[] = [];
  for (let i = 0; i < inputs.length; i += batch) {
    for (const out of await runModel(model, inputs.slice(i, i + batch))) scores.push(out[classIndex]!);
  }
  return scores;
}

/**
 * Score-CAM: each channel, upsampled and min-max normalised, masks the input;
 * the class logits of the masked inputs, softmaxed over channels, weight the
 * channels (pytorch-grad-cam's definition). One forward run per channel.
 */
export async function scoreCam(model: LoadedModel, input: Float32Array, act: FeatureMaps, classIndex: number): Promise<Float32Array> {
  const hw = act.height * act.width;
  const spec = model.manifest.input;
  const masked = Array.from({ length: act.channels }, (_, k) => {
    const map = upsampleMap({ width: act.width, height: act.height, data: act.data.slice(k * hw, (k + 1) * hw) }, spec.size);
    return maskPixels(input, spec, minMaxNormalise(map.data));
  });
  const scores = await classScores(model, masked, classIndex);
  const top = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const out = new Float64Array(hw);
  exp.forEach((e, k) => {
    for (let i = 0; i < hw; i++) out[i]! += (e / total) * act.data[k * hw + i]!;
  });
  return Float32Array.from(out, (v) => Math.max(0, v));
}

/**
 * Occlusion sensitivity: a square patch of the input set to 0 (the dataset
 * mean after mean/std) slides over a grid; the map holds the drop in the
 * class score at each grid cell, ReLU'd.
 */
export async function occlusion(model: LoadedModel, input: Float32Array, classIndex: number, baseline: number, patch?: number): Promise<{ width: number; height: number; data: Float32Array }> {
  const spec = model.manifest.input;
  const { width, height } = spec.size;
  const size = patch ?? Math.max(1, Math.round(Math.min(width, height) / 8));
  const cols = Math.ceil(width / size);
  const rows = Math.ceil(height / size);
  const inputs: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const mask = new Float32Array(width * height).fill(1);
      for (let y = r * size; y < Math.min(height, (r + 1) * size); y++) for (let x = c * size; x < Math.min(width, (c + 1) * size); x++) mask[y * width + x] = 0;
      inputs.push(maskPixels(input, spec, mask));
    }
  }
  const scores = await classScores(model, inputs, classIndex);
  return { width: cols, height: rows, data: Float32Array.from(scores, (s) => Math.max(0, baseline - s)) };
}
