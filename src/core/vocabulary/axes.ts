/** The planes a volume is cut along, in the words every surface uses. */
export const SLICE_AXES = ['axial', 'coronal', 'sagittal'] as const;
export type SliceAxis = (typeof SLICE_AXES)[number];

/** 'axial slice 68 of 136' for a slice of a volume; '' for a single image (no axis). Every surface names the slice it used this way. */
export function sliceText(slice: { readonly axis: SliceAxis | null; readonly index: number; readonly count: number } | undefined): string {
  return slice?.axis ? `${slice.axis} slice ${slice.index} of ${slice.count}` : '';
}
