import type { CamMethod } from './camMethod';
import { elementwiseSum, relu } from './camMath';

/** LayerCAM: activations times the positive part of the gradients, per position. */
export const layercam: CamMethod = { needs: 'gradients', map: (act, grad) => elementwiseSum(act, grad, (a, g) => a * relu(g)) };
