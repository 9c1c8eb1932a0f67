import type { CamMethod } from './camMethod';
import { channelWeights, sum, weightedSum } from './camMath';

/** Grad-CAM: channels weighted by their mean gradient. */
export const gradcam: CamMethod = {
  needs: 'gradients',
  map: (act, grad) =>
    weightedSum(
      act,
      channelWeights(act, grad, (_a, g, from, to) => sum(g, from, to) / (to - from)),
    ),
};
