import type { CamMethod } from './camMethod';
import { channelWeights, gradientMethod, sum } from './camMath';

/** XGrad-CAM: channels weighted by Σ A·G / (Σ A + 1e-7), pytorch-grad-cam's eps. */
export const xgradcam = gradientMethod({
  weights: (act, grad) =>
    channelWeights(act, grad, (a, g, from, to) => {
      let num = 0;
      for (let i = from; i < to; i++) num += a[i]! * g[i]!;
      return num / (sum(a, from, to) + 1e-7);
    }),
}) satisfies CamMethod;
