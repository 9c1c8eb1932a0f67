/** The planes a volume is cut along, in the words every surface uses. */
export const SLICE_AXES = ['axial', 'coronal', 'sagittal'] as const;
export type SliceAxis = (typeof SLICE_AXES)[number];
