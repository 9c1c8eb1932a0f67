import type { Image2D } from '../image';
import { largestComponent } from './components';
import { applyMask, maskToImage, thresholdMask, type BinaryMask } from './mask';
import { close, fillHoles, open } from './morphology';
import { otsuThreshold } from './otsu';
import { checkParam, requireGrey } from './validate';

/**
 * Classic 2D skull stripping for a brain MR slice:
 * 1. Otsu threshold: tissue (brain and scalp/skull) vs dark background;
 * 2. opening with a disk: cuts the thin bridges (dura, vessels, partial
 *    volume) that join brain to skull, and drops specks;
 * 3. largest connected component (4-connected, so a diagonal touch does not
 *    join two parts): the brain;
 * 4. closing: smooths the outline and bridges sulci the threshold cut;
 * 5. hole filling: dark structures inside the brain (ventricles) are kept.
 * It assumes the brain is the largest bright region of the slice, which holds
 * for mid-brain axial slices but not near the vertex or the skull base.
 */

export type SkullStripOptions = {
  /** Opening disk radius in pixels: bridges narrower than 2r+1 are cut. */
  readonly openRadius: number;
  /** Closing disk radius in pixels: gaps narrower than 2r+1 are closed. */
  readonly closeRadius: number;
};

/**
 * Opening radius 3 (a 7-pixel disk) cuts the few-pixel bridges of a 256–512
 * pixel slice without eroding gyri away. The closing runs on the brain alone,
 * so it can only fill concavities of its outline and can afford radius 5
 * (sulci up to 11 pixels wide).
 */
export const SKULLSTRIP_DEFAULTS: SkullStripOptions = { openRadius: 3, closeRadius: 5 };

function brainMask(image: Image2D, options: Partial<SkullStripOptions>): BinaryMask {
  const { openRadius, closeRadius } = { ...SKULLSTRIP_DEFAULTS, ...options };
  requireGrey(image, 'skullstrip');
  checkParam('skullstrip', 'openRadius', openRadius, { integer: true, min: 0, max: 50 });
  checkParam('skullstrip', 'closeRadius', closeRadius, { integer: true, min: 0, max: 50 });

  const tissue = thresholdMask(image, otsuThreshold(image.data));
  const brain = largestComponent(open(tissue, openRadius), 4);
  return fillHoles(close(brain, closeRadius));
}

/** The brain mask as a 0/1 image (for the viewer's overlay). */
export function skullStripMask(image: Image2D, options: Partial<SkullStripOptions> = {}): Image2D {
  return maskToImage(brainMask(image, options));
}

/** The image with everything outside the brain mask set to 0. */
export function skullStrip(image: Image2D, options: Partial<SkullStripOptions> = {}): Image2D {
  return applyMask(image, brainMask(image, options));
}
