import { z } from 'zod';
import { AxisSchema, OverlayOptionsSchema } from '../protocol/viewerMessages';
import { vscode } from './pageChannel';

/**
 * What the page keeps across hide/show and reloads (vscode.setState), in place
 * of retainContextWhenHidden. Validated on the way back in, since an older
 * version of the page may have saved it.
 */
const SavedStateSchema = z.object({
  axis: AxisSchema,
  slice: z.number().int().nonnegative(),
  /** The window shown, once chosen (absent: the file's, or the slice range when the file names none). */
  window: z.object({ center: z.number(), width: z.number() }).optional(),
  /** Which entry of the window list it came from: a preset's index, 'auto' (slice range) or 'custom' (dragged). */
  windowChoice: z.string().optional(),
  zoom: z.number().positive().optional(),
  pan: z.tuple([z.number(), z.number()]),
  overlayShown: z.boolean(),
  overlay: OverlayOptionsSchema,
});
export type SavedState = z.infer<typeof SavedStateSchema>;

export const DEFAULT_STATE: SavedState = {
  axis: 'axial',
  slice: -1,
  pan: [0, 0],
  overlayShown: true,
  overlay: { method: 'gradcam', colormap: 'jet', opacity: 0.4 },
};

export function loadState(): SavedState {
  const parsed = SavedStateSchema.safeParse(vscode.getState());
  return parsed.success ? parsed.data : { ...DEFAULT_STATE };
}

export function saveState(state: SavedState): void {
  vscode.setState(state);
}
