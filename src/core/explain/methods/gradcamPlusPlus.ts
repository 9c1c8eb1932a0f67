import type { CamMethod } from './camMethod';
import { channelWeights, relu, sum, weightedSum } from './camMath';

/** Grad-CAM++: channels weighted by positive gradients times the closed-form alphas. */
export const gradcamPlusPlus: CamMethod = {
  needs: 'gradients',
  map: (act, grad) =>
    weightedSum(
      act,
      channelWeights(act, grad, (a, g, from, to) => {
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
      }),
    ),
};
