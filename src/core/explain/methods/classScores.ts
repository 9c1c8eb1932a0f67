import type { LoadedModel } from '../../model/loadModel';
import { runModel } from '../../model/runModel';

/** Scores of one class for many inputs, in batches. */
export async function classScores(model: LoadedModel, inputs: Float32Array[], classIndex: number, batch = 16): Promise<number[]> {
  const scores: number[] = [];
  for (let i = 0; i < inputs.length; i += batch) {
    for (const out of await runModel(model, inputs.slice(i, i + batch))) scores.push(out[classIndex]!);
  }
  return scores;
}
