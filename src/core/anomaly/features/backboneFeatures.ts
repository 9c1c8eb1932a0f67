import { ScanLensError, oneLine } from '../../errors';
import { toFeatureMaps, type FeatureMaps } from '../../explain/featureMaps';
import type { LoadedModel } from '../../model/loadModel';
import { ort } from '../../native/ort';
import { resizeImage } from '../../preprocess/resize';
import { featureSession, type FeatureSessionOptions } from './featureSession';
import { localAverage } from './localAverage';

export interface FeatureSpec {
  /** Backbone tensors, shallow to deep; their channels are concatenated in this order. */
  readonly layers: readonly string[];
  /** The common grid every layer is resized to (bilinear). */
  readonly grid: { readonly width: number; readonly height: number };
  /** Indices into the concatenated channels that the detector keeps. */
  readonly channels: readonly number[];
  /** Each map averaged over this odd neighbourhood before resizing (PatchCore's locally aware features); absent or 1: none. */
  readonly neighbourhood?: number;
}

/** Feature vectors of one image: channels × positions, channel-major. */
export interface GridFeatures {
  readonly channels: number;
  readonly positions: number;
  readonly data: Float32Array;
}

/**
 * Runs the backbone with the spec's layers exposed, resizes each kept channel
 * to the common grid and stacks them: PaDiM's embedding, restricted to the
 * channel subset before resizing so unused channels cost nothing; with a
 * neighbourhood, PatchCore's (each map locally averaged first).
 */
export class BackboneFeatures {
  private constructor(
    readonly model: LoadedModel,
    readonly spec: FeatureSpec,
    private readonly options: FeatureSessionOptions,
  ) {}

  static open(model: LoadedModel, spec: FeatureSpec, options: FeatureSessionOptions = {}): BackboneFeatures {
    return new BackboneFeatures(model, spec, options);
  }

  /** Channels per layer, read from one run (to choose a channel subset before fitting). */
  async layerMaps(input: Float32Array): Promise<FeatureMaps[]> {
    const session = await featureSession(this.model, this.spec.layers, this.options);
    const { layout, channels, size } = this.model.manifest.input;
    const dims = layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels];
    let results;
    try {
      results = await session.run({ [this.model.inputName]: new (ort().Tensor)('float32', input, dims) }, [...this.spec.layers]);
    } catch (error) {
      throw new ScanLensError(`backbone run failed (${oneLine(error)})`, this.model.onnxPath);
    }
    return this.spec.layers.map((layer) => {
      const tensor = results[layer]!;
      if (tensor.type !== 'float32') throw new ScanLensError(`feature tensor '${layer}' is ${tensor.type}; expected float32`, this.model.onnxPath);
      return toFeatureMaps(tensor.data as Float32Array, tensor.dims, layer);
    });
  }

  async extract(input: Float32Array): Promise<GridFeatures> {
    const maps = await this.layerMaps(input);
    const { grid, channels } = this.spec;
    const positions = grid.width * grid.height;
    const out = new Float32Array(channels.length * positions);
    const offsets = maps.map((_, i) => maps.slice(0, i).reduce((sum, m) => sum + m.channels, 0));
    const total = offsets.at(-1)! + maps.at(-1)!.channels;
    channels.forEach((global, k) => {
      if (global >= total) throw new ScanLensError(`detector keeps channel ${global}, but the backbone's layers have ${total}`, this.model.onnxPath);
      let layer = maps.length - 1;
      while (offsets[layer]! > global) layer--;
      const map = maps[layer]!;
      const plane = map.height * map.width;
      const start = (global - offsets[layer]!) * plane;
      const raw = map.data.subarray(start, start + plane);
      const p = this.spec.neighbourhood ?? 1;
      const image = { width: map.width, height: map.height, channels: 1, data: p > 1 ? localAverage(raw, map.width, map.height, p) : raw };
      const resized = map.width === grid.width && map.height === grid.height ? image : resizeImage(image, grid, 'linear', 'fill');
      out.set(resized.data, k * positions);
    });
    return { channels: channels.length, positions, data: out };
  }
}
