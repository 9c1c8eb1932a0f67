import type { Tensor } from 'onnxruntime-node';
import { explainInput, type Explanation, type ExplainOptions } from '../explain';
import { modelGraph } from '../explainSessions';
import type { LoadedModel } from '../../model/loadModel';
import { ort } from '../../native/ort';
import { CAM_REGISTRY } from '../methods/registry';
import { checkCancelled, type RunControl } from '../perturbations';
import { spearman, ssim } from './mapSimilarity';
import { initializerValues, parameterLayers, randomisedLayer } from './parameterLayers';
import { inputHeat } from './relevance';

/** Quantus' default seed for ModelParameterRandomisation. */
export const RANDOMISATION_SEED = 42;

export interface RandomisationStep {
  /** The layer re-initialised at this step, on top of every layer above it. */
  readonly layer: string;
  /** Between the original map and this step's, both upsampled and min-max normalised; null where a map is constant. */
  readonly spearman: number | null;
  readonly ssim: number | null;
}

export type RandomisationCheck =
  | { readonly seed: number; readonly steps: RandomisationStep[] }
  /** Why the check was not run (a method that is not a gradient method). */
  | { readonly skipped: string };

/** How many runs the check makes: one per parameterised layer, or none when the method is not a gradient method. */
export async function randomisationRuns(model: LoadedModel, options: ExplainOptions): Promise<number> {
  return CAM_REGISTRY[options.method].needs === 'gradients' ? parameterLayers(await modelGraph(model)).length : 0;
}

/**
 * Adebayo et al.'s (2018) model-parameter randomisation test, cascading as
 * Quantus' ModelParameterRandomisation (layer_order 'top_down'): the layers'
 * parameters re-initialised from the output down, each step keeping the
 * layers above it randomised, the map computed again for the same class and
 * compared with the original. A map that stays similar does not depend on
 * what the model learned. Gradient methods only: their runs take the new
 * values as feeds (overridableGradientSession), without deriving a model per step.
 */
export async function randomisationCheck(model: LoadedModel, input: Float32Array, explanation: Explanation, options: ExplainOptions, seed: number, control: RunControl): Promise<RandomisationCheck> {
  if (CAM_REGISTRY[options.method].needs !== 'gradients') return { skipped: 'runs for the target-layer gradient methods (Grad-CAM family) only' };
  const graph = await modelGraph(model);
  const layers = parameterLayers(graph);
  const { size } = model.manifest.input;
  const original = inputHeat(explanation.map, size);
  const parameters: Record<string, Tensor> = {};
  for (const t of layers.flatMap((layer) => layer.tensors)) parameters[t.name] = new (ort().Tensor)('float32', initializerValues(graph, t.name), [...t.dims]);
  const steps: RandomisationStep[] = [];
  for (const [k, layer] of layers.entries()) {
    checkCancelled(control.signal);
    for (const [name, values] of randomisedLayer(layer, seed + k)) {
      const dims = layer.tensors.find((t) => t.name === name)!.dims;
      parameters[name] = new (ort().Tensor)('float32', values, [...dims]);
    }
    const { signal } = control;
    const randomised = await explainInput(model, input, {
      ...options,
      signal,
      onProgress: undefined,
      classIndex: explanation.classIndex,
      layer: explanation.layer?.tensor,
      parameters: { ...parameters },
    });
    const heat = inputHeat(randomised.map, size);
    steps.push({ layer: layer.name, spearman: spearman(original, heat), ssim: ssim(original, heat, size.width, size.height) });
    control.onProgress?.(k + 1, layers.length);
  }
  return { seed, steps };
}
