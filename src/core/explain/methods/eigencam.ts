import type { CamMethod } from './camMethod';
import { firstComponentProjection, reluToFloat32 } from './camMath';

/**
 * EigenCAM: the activations (positions × channels, centred per channel)
 * projected on their first principal direction (pytorch-grad-cam's
 * get_2d_projection), turned to correlate with the channel sum of the
 * activations, then ReLU.
 */
export const eigencam: CamMethod = { needs: 'activations', map: (act) => reluToFloat32(firstComponentProjection(act)) };
