/**
 * The names of the explanation methods, for every list a person picks from
 * (CLI choices, cell-language completion, the viewer's menu) and every schema
 * that checks one. Each name has its implementation in
 * core/explain/methods/ (the registry there must cover exactly these).
 */
export const CAM_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'xgradcam', 'layercam', 'eigencam', 'scorecam', 'ablationcam', 'occlusion', 'fullgrad'] as const;
export type CamMethodName = (typeof CAM_METHODS)[number];
