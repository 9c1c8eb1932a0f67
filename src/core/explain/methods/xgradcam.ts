import type { CamMethod } from './camMethod';
import { channelWeights, sum, weightedSum } from './camMath';

/** XGrad-CAM: channels weighted by Σ A·G / Σ A. */
export const xgradcam: CamMethod = {
  needs: 'gradients',
  map: (act, grad) =>
    weightedSum(
      act,
      channelWeights(act, grad, (a, g, from, to) => {
        let num = 0;
        for (let i = from; i < to; i++) num += a[i]! * g[i]!;
        return num / (sum(a, from, to) + 1e-7);
      }),
    ),
};
