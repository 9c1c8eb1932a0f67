import type { CamMethod } from './camMethod';
import { channelWeights, gradientMethod, relu, sum } from './camMath';

/**
 * Grad-CAM++ as pytorch-grad-cam defines it (eq. 19 of arXiv:1710.11063):
 * alpha = G² / (2G² + ΣA·G³ + 1e-6), 0 where G = 0; w_k = Σ ReLU(G)·alpha.
 * The eps is pytorch-grad-cam's; it matters where gradients are small (1e-7
 * moved normalised maps by up to 1.0).
 */
export const gradcamPlusPlus = gradientMethod({
  weights: (act, grad) =>
    channelWeights(act, grad, (a, g, from, to) => {
      const total = sum(a, from, to);
      let w = 0;
      for (let i = from; i < to; i++) {
        const g1 = g[i]!;
        if (g1 === 0) continue;
        const g2 = g1 * g1;
        const alpha = g2 / (2 * g2 + total * g2 * g1 + 1e-6);
        w += relu(g1) * alpha;
      }
      return w;
    }),
}) satisfies CamMethod;
