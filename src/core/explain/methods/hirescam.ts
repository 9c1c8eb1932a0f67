import type { CamMethod } from './camMethod';
import { elementwiseSum } from './camMath';

/** HiResCAM: activations times gradients, summed over channels per position. */
export const hirescam: CamMethod = { needs: 'gradients', map: (act, grad) => elementwiseSum(act, grad, (a, g) => a * g) };
