import type { LoadedModel } from '../../model/loadModel';
import type { FeatureMaps } from '../featureMaps';
import type { Perturbations } from '../perturbations';

/** A map at some grid's resolution: the target layer's, or an occlusion grid's. */
export interface CamMap {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/** What a method may use besides activations and gradients: the model, its prepared input and the class explained. */
export interface CamContext {
  readonly model: LoadedModel;
  readonly input: Float32Array;
  readonly classIndex: number;
  /** The class's output score (logit) on the unchanged input. */
  readonly score: number;
  /** The class's score for edited copies of the input, through the whole model, batched, with progress and cancelling. */
  readonly inputs: Perturbations;
}

/** What an activation method that edits the target layer has besides: the layer's tensor as the model gave it, and the model run from it onward. */
export interface LayerContext extends CamContext {
  /** The target layer's activations as the graph holds them ([1,C,H,W], or [1,tokens,dim] for a transformer). */
  readonly raw: { readonly data: Float32Array; readonly dims: readonly number[] };
  /** The class's score for edited copies of the raw activations, through the part of the model after the target layer. */
  readonly layer: Perturbations;
}

/** What FullGrad needs: the input's gradient, and each bias layer's bias with the gradient of its output, from one run of a model differentiated down to its input. */
export interface BiasGradientContext {
  readonly model: LoadedModel;
  readonly input: Float32Array;
  /** d logit[class] / d input, laid out as the input. */
  readonly inputGradient: Float32Array;
  readonly layers: readonly { readonly bias: Float32Array; readonly gradient: { readonly data: Float32Array; readonly dims: readonly number[] } }[];
}

/**
 * One explanation method, by what it needs from a run: the target layer's
 * activations and their gradients (one run of the derived gradient model),
 * the activations alone, the activations and the model from the target layer
 * on, only the model and its input, or the gradients of every bias layer and
 * of the input (one run of the model differentiated down to its input). The explain pipeline (explain.ts) runs
 * what the method needs and hands it over; the method returns its map after
 * its own ReLU, before upsampling.
 */
export type CamMethod =
  | { readonly needs: 'gradients'; readonly map: (act: FeatureMaps, grad: FeatureMaps) => Float32Array }
  | { readonly needs: 'activations'; readonly map: (act: FeatureMaps, context: CamContext) => Float32Array | Promise<Float32Array> }
  | { readonly needs: 'layer'; readonly map: (act: FeatureMaps, context: LayerContext) => Promise<Float32Array> }
  | { readonly needs: 'input'; readonly map: (context: CamContext) => Promise<CamMap> }
  | { readonly needs: 'biasGradients'; readonly map: (context: BiasGradientContext) => CamMap };
