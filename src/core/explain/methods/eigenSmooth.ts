import { ScanLensError } from '../../errors';
import type { CamMethodName } from '../../vocabulary/camMethods';
import type { FeatureMaps } from '../featureMaps';
import type { CamMethod } from './camMethod';
import { firstComponentProjection, reluToFloat32, termMaps, type CamTerms } from './camMath';

type WithTerms = CamMethod & { readonly terms: CamTerms };

const hasTerms = (method: CamMethod): method is WithTerms => 'terms' in method;

/**
 * eigen_smooth, pytorch-grad-cam's option: a gradient method's terms (w_k·A_k for
 * Grad-CAM, Grad-CAM++ and XGradCAM; G·A for HiResCAM; ReLU(G)·A for LayerCAM) are not
 * summed over channels but projected on their first principal component (as EigenCAM
 * projects the activations; camMath.firstComponentProjection), then ReLU. EigenCAM is
 * that projection already, so the option leaves it unchanged (as in pytorch-grad-cam)
 * and says so; the methods whose terms ScanLens does not form (Score-CAM, AblationCAM,
 * occlusion) are refused. Returns the note to show, if any.
 */
export function checkEigenSmooth(name: CamMethodName, method: CamMethod): string | undefined {
  if (hasTerms(method)) return undefined;
  if (name === 'eigencam') return 'eigen_smooth leaves EigenCAM unchanged: it is already the first principal component of the activations';
  throw new ScanLensError(`eigen_smooth applies to Grad-CAM, Grad-CAM++, HiResCAM, XGradCAM and LayerCAM (EigenCAM is already a projection), not to ${name}`);
}

/** The eigen_smooth map of a gradient method, after ReLU, at the target layer's resolution. */
export function eigenSmoothMap(method: CamMethod, act: FeatureMaps, grad: FeatureMaps): Float32Array {
  if (!hasTerms(method)) throw new ScanLensError('eigen_smooth needs a gradient method');
  return reluToFloat32(firstComponentProjection(termMaps(method.terms, act, grad)));
}
