/**
 * The names of the explanation methods, for every list a person picks from
 * (CLI choices, cell-language completion, the viewer's menu) and every schema
 * that checks one. Each name has its implementation in
 * core/explain/methods/ (the registry there must cover exactly these).
 */
export const CAM_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam', 'eigencam', 'scorecam', 'ablationcam', 'occlusion', 'fullgrad'] as const;
export type CamMethodName = (typeof CAM_METHODS)[number];

/** pytorch-grad-cam's smoothing options as every surface offers them: eigen_smooth, aug_smooth, or both. */
export const CAM_SMOOTHING = ['eigen', 'aug', 'both'] as const;
export type CamSmoothing = (typeof CAM_SMOOTHING)[number];

/** The explain options a smoothing choice turns on (none: neither). */
export function smoothingFlags(smooth: CamSmoothing | undefined): { eigenSmooth: boolean; augSmooth: boolean } {
  return { eigenSmooth: smooth === 'eigen' || smooth === 'both', augSmooth: smooth === 'aug' || smooth === 'both' };
}
