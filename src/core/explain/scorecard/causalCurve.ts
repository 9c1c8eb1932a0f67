import type { InputSpec } from '../../model/manifest';
import type { Perturbations } from '../perturbations';
import { at, pixelCount } from '../tensorPixels';

/** Points on the deletion and insertion curves after the first: the pixels change in this many equal steps (128² input: 256 pixels a step). */
export const CAUSAL_STEPS = 64;

export interface CausalCurve {
  /** Area under the curve, the x axis taken as 0…1 (RISE's auc): low for deletion and high for insertion is faithful. */
  readonly auc: number;
  /** Class probability after each step, the first on the starting image. */
  readonly probabilities: number[];
}

/** RISE's normalised area: the trapezoid rule over equally spaced points. */
function curveArea(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return (sum - values[0]! / 2 - values[values.length - 1]! / 2) / (values.length - 1);
}

/**
 * RISE's (Petsiuk et al. 2018) causal metrics: starting from `start`, the
 * pixels in `order` are replaced by `finish`'s, a step at a time, and the
 * class probability followed. Deletion starts from the input and finishes at
 * 0 (the dataset mean, in the model's input space); insertion starts from the
 * blurred input and finishes at the input.
 */
export async function causalCurve(runs: Perturbations, spec: InputSpec, order: Int32Array, start: Float32Array, finish: Float32Array, steps = CAUSAL_STEPS): Promise<CausalCurve> {
  const n = pixelCount(spec);
  const step = Math.ceil(n / steps);
  const count = Math.ceil(n / step) + 1;
  const scores = await runs.scores(count, (i, into) => {
    into.set(start);
    const changed = Math.min(n, i * step);
    for (let k = 0; k < changed; k++) {
      const pixel = order[k]!;
      for (let c = 0; c < spec.channels; c++) into[at(spec, pixel, c)] = finish[at(spec, pixel, c)]!;
    }
  });
  return { auc: curveArea(scores), probabilities: Array.from(scores) };
}
