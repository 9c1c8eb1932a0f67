import type { FeatureMaps } from '../featureMaps';
import type { CamMethod } from './camMethod';

/**
 * EigenCAM: the activations (positions × channels, centred per channel)
 * projected on their first principal direction, found by power iteration on
 * the channel covariance. The sign is chosen so the map correlates with the
 * mean activation, then ReLU.
 */
function eigenMap(act: FeatureMaps): Float32Array {
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

export const eigencam: CamMethod = { needs: 'activations', map: eigenMap };
