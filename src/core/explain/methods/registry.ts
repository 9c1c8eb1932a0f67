import type { CamMethodName } from '../../vocabulary/camMethods';
import { ablationcam } from './ablationcam';
import type { CamMethod } from './camMethod';
import { eigencam } from './eigencam';
import { fullgrad } from './fullgrad';
import { gradcam } from './gradcam';
import { gradcamPlusPlus } from './gradcamPlusPlus';
import { hirescam } from './hirescam';
import { layercam } from './layercam';
import { occlusion } from './occlusion';
import { scorecam } from './scorecam';
import { xgradcam } from './xgradcam';

/**
 * Every explanation method by its name in core/vocabulary/camMethods.ts. A
 * new method is one file here and one line below; the type makes the names
 * and the implementations agree.
 */
export const CAM_REGISTRY: { readonly [K in CamMethodName]: CamMethod } = {
  gradcam,
  'gradcam++': gradcamPlusPlus,
  hirescam,
  xgradcam,
  layercam,
  eigencam,
  scorecam,
  ablationcam,
  occlusion,
  fullgrad,
};
