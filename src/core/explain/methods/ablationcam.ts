import { positions, type FeatureMaps } from '../featureMaps';
import type { CamMethod, LayerContext } from './camMethod';

/** What an ablated channel is set to when the layer's smallest activation is not 0 (pytorch-grad-cam's AblationLayer). */
const ABLATION_OFFSET = 1e7;

/**
 * AblationCAM as pytorch-grad-cam defines it: each channel of the target
 * layer in turn is ablated (set to 0 when the layer's smallest activation is
 * 0, as after a ReLU, else to that minimum − 1e7), the model runs on from the
 * target layer, and the channel's weight is (score − ablated score) / score;
 * the map is ReLU(Σ_k w_k A_k). For a transformer's tokens a channel is one
 * feature across every token, class token included. A channel already equal
 * to the ablation value everywhere is left unchanged by ablating it: its
 * weight is 0 without a run.
 *
 * pytorch-grad-cam re-reads the minimum inside its per-copy loop, after
 * earlier copies of the batch were ablated, so for a layer whose minimum is
 * not 0 the k-th copy of each batch of 32 gets minimum − k·1e7; ScanLens
 * uses minimum − 1e7 for every channel (the same for layers whose minimum is 0).
 */
async function ablationMap(act: FeatureMaps, { raw, layer, score }: LayerContext): Promise<Float32Array> {
  const { data, dims } = raw;
  let min = Infinity;
  for (let i = 0; i < data.length; i++) if (data[i]! < min) min = data[i]!;
  const value = min === 0 ? 0 : Math.fround(min - ABLATION_OFFSET);
  // A channel's positions in the raw tensor: a plane of [1,C,H,W] (a block of [1,C,D,H,W]), or feature k of every token of [1,T,D].
  const tokens = dims.length === 3;
  const channels = tokens ? dims[2]! : dims[1]!;
  const per = data.length / channels;
  const position = (k: number, i: number): number => (tokens ? i * channels + k : k * per + i);
  const ablated: number[] = [];
  for (let k = 0; k < channels; k++) {
    let unchanged = true;
    for (let i = 0; i < per && unchanged; i++) unchanged = data[position(k, i)] === value;
    if (!unchanged) ablated.push(k);
  }
  const scores = await layer.scores(ablated.length, (index, into) => {
    into.set(data);
    const k = ablated[index]!;
    for (let i = 0; i < per; i++) into[position(k, i)] = value;
  });
  const weights = new Float64Array(act.channels);
  const original = Math.fround(score);
  ablated.forEach((k, i) => (weights[k] = Math.fround((original - scores[i]!) / original)));
  const hw = positions(act);
  const out = new Float64Array(hw);
  for (let k = 0; k < act.channels; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    for (let i = 0; i < hw; i++) out[i]! += w * act.data[k * hw + i]!;
  }
  return Float32Array.from(out, (v) => Math.max(0, v));
}

export const ablationcam: CamMethod = { needs: 'layer', map: ablationMap };
