import type { Image2D } from '../image';
import { IntensitySchema, type Stage } from '../model/manifest';
import type { LoadedModel } from '../model/loadModel';
import { CLASSIC_PIPELINE } from '../preprocess/classicPipeline';
import { toChannels } from '../preprocess/colour';
import { unitSlice } from '../preprocess/intensity';
import { prepareSteps } from '../preprocess/prepareInput';
import { runStages } from '../preprocess/stages';
import { DEFAULT_LIMITS, type DecodeLimits } from '../scan/limits';
import { loadScan, type LoadOptions } from '../scan/loadScan';
import { chooseSlice, cutSlice, type SliceChoice, type SliceRequest } from '../scan/sliceChoice';
import { imageInput } from '../model/imageInput';

export interface PreprocessJobOptions extends SliceRequest {
  /**
   * A gallery of these stages instead of the model's own pipeline (CLASSIC_PIPELINE
   * for the classic six). Without a model, the classic six are the default.
   */
  readonly stages?: readonly Stage[];
  readonly limits?: DecodeLimits;
  readonly load?: LoadOptions;
}

export interface PreprocessStep {
  /** 'input' (the slice in [0,1]), a stage's name, or 'model-input'. */
  readonly name: string;
  readonly image: Image2D;
  /** A stage's full parameter set, defaults filled in. */
  readonly params?: Readonly<Record<string, number>>;
}

export interface PreprocessJobResult {
  /** The path the job read. */
  readonly file: string;
  /**
   * 'model': exactly what the model runs (its manifest's stages, possibly none),
   * ending with 'model-input'; 'stages': a gallery of stages asked for (or the
   * classic six without a model), which is not what any model gets, so it has no model input.
   */
  readonly pipeline: 'model' | 'stages';
  readonly steps: readonly PreprocessStep[];
  /** The model pipeline only: the batch item the model gets, value for value what classify feeds it, and its dims. */
  readonly modelInput?: { readonly data: Float32Array; readonly dims: readonly number[] };
  readonly slice: SliceChoice;
}

/** The manifest's default intensity mapping, for a gallery without a model. */
const NO_MODEL_INTENSITY = IntensitySchema.parse({ mode: 'range' });

/**
 * One slice of a scan file through a preprocessing pipeline, every step kept.
 * With a model and no stages asked for: the model's own pipeline, through
 * prepareInput's own code (prepareSteps), its last step the model's input.
 * With stages, or without a model: a gallery of stages on the grey slice
 * (the classic six when none are named).
 */
export async function preprocessJob(model: LoadedModel | undefined, path: string, options: PreprocessJobOptions = {}): Promise<PreprocessJobResult> {
  if (model) imageInput(model.manifest, 'preprocess', model.manifestPath ?? model.onnxPath);
  const { limits = DEFAULT_LIMITS, load = {}, stages, axis, slice: index } = options;
  const scan = await loadScan(path, limits, load);
  const slice = chooseSlice(scan, { axis, slice: index });
  const plane = cutSlice(scan, slice);
  if (model && stages === undefined) {
    const { manifest } = model;
    const prepared = prepareSteps(plane, manifest, 0);
    const { layout, channels, size } = imageInput(manifest, 'preprocess');
    const dims = layout === 'NCHW' ? [1, channels, size.height, size.width] : [1, size.height, size.width, channels];
    const steps: PreprocessStep[] = [
      { name: 'input', image: prepared.sliceImage },
      ...prepared.stages.map((s) => ({ name: s.name, image: s.image, params: s.params })),
      { name: 'model-input', image: prepared.resized },
    ];
    return { file: path, pipeline: 'model', steps, modelInput: { data: prepared.data, dims }, slice };
  }
  const start = toChannels(unitSlice(plane, 0, model?.manifest.input.intensity ?? NO_MODEL_INTENSITY), 1);
  const ran = runStages(start, stages ?? CLASSIC_PIPELINE);
  const steps: PreprocessStep[] = [{ name: 'input', image: start }, ...ran.map((s) => ({ name: s.name, image: s.image, params: s.params }))];
  return { file: path, pipeline: 'stages', steps, slice };
}
