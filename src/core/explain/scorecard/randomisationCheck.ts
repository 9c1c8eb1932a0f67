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

/**
 * Whether the method's maps can be recomputed with fed weights: every run it
 * makes goes through a model that takes them (explain.ts, `parameters`).
 * AblationCAM runs the model after its target layer and FullGrad reads the
 * biases themselves, so neither is.
 */
function randomisable(options: ExplainOptions): boolean {
  const { needs } = CAM_REGISTRY[options.method];
  return needs === 'gradients' || needs === 'activations' || needs === 'input';
}

/** How many steps the check makes: one explanation per parameterised layer, or none when the method is not randomisable. */
export async function randomisationRuns(model: LoadedModel, options: ExplainOptions): Promise<number> {
  return randomisable(options) ? parameterLayers(await modelGraph(model)).length : 0;
}

/**
 * Adebayo et al.'s (2018) model-parameter randomisation test, cascading as
 * Quantus' ModelParameterRandomisation (layer_order 'top_down'): the layers'
 * parameters re-initialised from the output down, each step keeping the
 * layers above it randomised, the map computed again for the same class and
 * compared with the original. A map that stays similar does not depend on
 * what the model learned. The runs take the new values as feeds (the
 * parameter-input sessions of explainSessions.ts), without deriving a model
 * per step; a gradient-free method's step costs its whole explanation again.
 */
export async function randomisationCheck(model: LoadedModel, input: Float32Array, explanation: Explanation, options: ExplainOptions, seed: number, control: RunControl): Promise<RandomisationCheck> {
  if (!randomisable(options)) return { skipped: `not available for ${options.method}` };
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
    const randomised = await explainInput(model, input, {
      ...options,
      signal: control.signal,
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
