import type { CamMethod } from './camMethod';
import { gradientMethod } from './camMath';

/** HiResCAM: activations times gradients, summed over channels per position. */
export const hirescam = gradientMethod({ elementwise: (a, g) => a * g }) satisfies CamMethod;
