import { ScanLensError } from '../errors';
import type { InputSpec, Manifest } from './manifest';

/** A 2D model's input: its layout is one of the two image layouts, grey or RGB (the manifest refuses other channel counts for them). */
export type ImageInputSpec = InputSpec & { readonly layout: 'NCHW' | 'NHWC'; readonly channels: 1 | 3 };

/**
 * The input of a 2D model, for a path that cuts scans into slices; a 3D
 * model (NCDHW) is refused here in one line, so it never reaches a branch
 * that would take it for NHWC. `verb` names what refused it.
 */
export function imageInput(manifest: Pick<Manifest, 'input'>, verb: string, about?: string): ImageInputSpec {
  const { input } = manifest;
  if (input.layout === 'NCDHW') throw new ScanLensError(`a 3D model (NCDHW): ${verb} takes 2D models; classify it as a volume`, about);
  return { ...input, layout: input.layout, channels: input.channels === 1 ? 1 : 3 };
}
