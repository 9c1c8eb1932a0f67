import type { LoadedModel } from '../../model/loadModel';
import type { FeatureMaps } from '../featureMaps';

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
}

/**
 * One explanation method, by what it needs from a run: the target layer's
 * activations and their gradients (one run of the derived gradient model),
 * the activations alone, or only the model and its input. The explain
 * pipeline (explain.ts) runs what the method needs and hands it over; the
 * method returns its map after its own ReLU, before upsampling.
 */
export type CamMethod =
  | { readonly needs: 'gradients'; readonly map: (act: FeatureMaps, grad: FeatureMaps) => Float32Array }
  | { readonly needs: 'activations'; readonly map: (act: FeatureMaps, context: CamContext) => Float32Array | Promise<Float32Array> }
  | { readonly needs: 'input'; readonly map: (context: CamContext) => Promise<CamMap> };
