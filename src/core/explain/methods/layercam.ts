import type { CamMethod } from './camMethod';
import { gradientMethod, relu } from './camMath';

/** LayerCAM: activations times the positive part of the gradients, per position. */
export const layercam = gradientMethod({ elementwise: (a, g) => a * relu(g) }) satisfies CamMethod;
