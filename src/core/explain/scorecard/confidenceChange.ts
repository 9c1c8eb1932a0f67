import type { InputSpec } from '../../model/manifest';
import type { Perturbations } from '../perturbations';
import { maskPixels } from '../tensorPixels';

export interface ConfidenceChange {
  /** Class probability on the input as it is. */
  readonly original: number;
  /** Class probability on the explanation map: the input times the normalised map. */
  readonly explanationMap: number;
  /** max(0, original − explanationMap) / original: one image's share of Grad-CAM++'s Average Drop. */
  readonly drop: number;
  /** explanationMap > original: one image's share of Grad-CAM++'s Increase in Confidence. */
  readonly increase: boolean;
}

/**
 * Grad-CAM++'s (Chattopadhyay et al. 2018) confidence change: the model sees
 * only what the map shows, E = input ∘ map, the map upsampled and min-max
 * normalised. Like pytorch-grad-cam's CamMultImageConfidenceChange the product
 * is taken in the model's input space (after mean/std), where 0 is the
 * dataset mean.
 */
export async function confidenceChange(runs: Perturbations, input: Float32Array, spec: InputSpec, heat: Float32Array, original: number): Promise<ConfidenceChange> {
  const [explanationMap] = await runs.scores(1, (_, into) => into.set(maskPixels(input, spec, heat)));
  return { original, explanationMap: explanationMap!, drop: Math.max(0, original - explanationMap!) / original, increase: explanationMap! > original };
}
