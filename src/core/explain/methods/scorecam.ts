import type { FeatureMaps } from '../featureMaps';
import { maskPixels } from '../tensorPixels';
import { minMaxNormalise, upsampleMap } from '../upsample';
import type { CamContext, CamMethod } from './camMethod';
import { classScores } from './classScores';

/**
 * Score-CAM: each channel, upsampled and min-max normalised, masks the input;
 * the class logits of the masked inputs, softmaxed over channels, weight the
 * channels (pytorch-grad-cam's definition). One forward run per channel.
 */
async function scoreMap(act: FeatureMaps, { model, input, classIndex }: CamContext): Promise<Float32Array> {
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

export const scorecam: CamMethod = { needs: 'activations', map: scoreMap };
