import type { CamMethod } from './camMethod';
import { channelWeights, gradientMethod, sum } from './camMath';

/** Grad-CAM: channels weighted by their mean gradient. */
export const gradcam = gradientMethod({
  weights: (act, grad) => channelWeights(act, grad, (_a, g, from, to) => sum(g, from, to) / (to - from)),
}) satisfies CamMethod;
