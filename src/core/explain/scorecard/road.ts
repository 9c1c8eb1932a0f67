import type { InputSpec } from '../../model/manifest';
import type { Perturbations } from '../perturbations';
import { noisyLinearImputation } from './linearImputation';

/** The fixed percentages of pixels removed, as pytorch-grad-cam's ROADCombined takes them. */
export const ROAD_PERCENTAGES: readonly number[] = [10, 20, 30, 40, 50, 60, 70, 80, 90];
/** NoisyLinearImputer's default noise, in the model's input space. */
export const ROAD_NOISE = 0.01;
/** One seed for every imputed copy: reruns give the same numbers. */
const NOISE_SEED = 1;

export interface RoadCurve {
  readonly percentages: number[];
  /** Class probability with that percentage of the pixels imputed. */
  readonly probabilities: number[];
  /** Their mean: low most-relevant-first and high least-relevant-first is faithful. */
  readonly mean: number;
}

/**
 * ROAD (Rong et al. 2022, as Quantus' ROAD ranks pixels): the first
 * floor(pixels · p / 100) pixels of `order` removed by noisy linear
 * imputation, at each percentage, and the class probability read.
 */
export async function roadCurve(runs: Perturbations, input: Float32Array, spec: InputSpec, order: Int32Array, percentages = ROAD_PERCENTAGES): Promise<RoadCurve> {
  const scores = await runs.scores(percentages.length, (i, into) => {
    const removed = order.subarray(0, Math.floor((order.length * percentages[i]!) / 100));
    into.set(noisyLinearImputation(input, spec, removed, ROAD_NOISE, NOISE_SEED));
  });
  const probabilities = Array.from(scores);
  return { percentages: [...percentages], probabilities, mean: probabilities.reduce((a, b) => a + b, 0) / probabilities.length };
}
