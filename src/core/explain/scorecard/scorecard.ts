import type { Explanation, ExplainOptions } from '../explain';
import type { LoadedModel } from '../../model/loadModel';
import { mapToSlice, type ModelView } from '../../preprocess/mapToSlice';
import type { RunControl } from '../perturbations';
import { pixelCount } from '../tensorPixels';
import { minMaxNormalise } from '../upsample';
import { CAUSAL_STEPS, causalCurve, type CausalCurve } from './causalCurve';
import { probabilityRuns } from './classProbability';
import { confidenceChange, type ConfidenceChange } from './confidenceChange';
import { maskMetrics, type MaskMetrics } from './maskMetrics';
import { RANDOMISATION_SEED, randomisationCheck, randomisationRuns, type RandomisationCheck } from './randomisationCheck';
import { inputHeat, relevanceOrder } from './relevance';
import { ROAD_NOISE, ROAD_PERCENTAGES, roadCurve, type RoadCurve } from './road';
import { blurredInput } from './substrateBlur';

/** A mask on the explained slice's grid, and how the model's input framed that slice. */
export interface SliceMask {
  readonly width: number;
  readonly height: number;
  /** 1 inside. */
  readonly inside: Uint8Array;
  readonly view: ModelView;
}

export interface ScorecardOptions extends RunControl {
  /** Seed of the randomisation check's re-initialised weights (default Quantus' 42). */
  readonly seed?: number;
  readonly mask?: SliceMask;
}

/** How one explanation fares on the faithfulness, sanity and localisation checks the explainability literature uses. Probabilities are the explained class's. */
export interface Scorecard {
  readonly classIndex: number;
  readonly confidence: ConfidenceChange;
  readonly deletion: CausalCurve;
  readonly insertion: CausalCurve;
  readonly road: {
    readonly noise: number;
    readonly mostRelevantFirst: RoadCurve;
    readonly leastRelevantFirst: RoadCurve;
    /** Mean of (least − most relevant first) / 2 over the percentages: pytorch-grad-cam's ROADCombined; higher is more faithful. */
    readonly combined: number;
  };
  readonly randomisation: RandomisationCheck;
  readonly mask?: MaskMetrics;
  /** What makes numbers above less telling (a constant map ranks pixels in pixel order, not by relevance). */
  readonly notes: string[];
}

/** Progress across the scorecard's parts: each reports its own runs, offset into one total. */
function part(control: RunControl, offset: number, total: number): RunControl {
  return { signal: control.signal, onProgress: control.onProgress ? (done) => control.onProgress!(offset + done, total) : undefined };
}

/**
 * The scorecard of an explanation of one prepared model input (explainInput's
 * input and result; `explain` the options it ran with). The perturbed copies
 * (1 + 2 × (CAUSAL_STEPS + 1) + 2 × 9 for a 128² input) go through onnxruntime
 * in batches, then the randomisation check explains again once per
 * parameterised layer; progress counts them all and the signal stops between
 * batches.
 */
export async function scoreExplanation(model: LoadedModel, input: Float32Array, explanation: Explanation, explain: ExplainOptions, options: ScorecardOptions = {}): Promise<Scorecard> {
  const spec = model.manifest.input;
  const { classIndex } = explanation;
  const heat = inputHeat(explanation.map, spec.size);
  const order = relevanceOrder(heat);
  const n = pixelCount(spec);
  const curvePoints = Math.ceil(n / Math.ceil(n / CAUSAL_STEPS)) + 1;
  const layers = await randomisationRuns(model, explain);
  const total = 1 + 2 * curvePoints + 2 * ROAD_PERCENTAGES.length + layers;
  let done = 0;
  const runs = (count: number) => {
    const control = part(options, done, total);
    done += count;
    return probabilityRuns(model, classIndex, control);
  };
  const confidence = await confidenceChange(runs(1), input, spec, heat, explanation.probabilities[classIndex]!);
  const deletion = await causalCurve(runs(curvePoints), spec, order, input, new Float32Array(input.length));
  const insertion = await causalCurve(runs(curvePoints), spec, order, blurredInput(input, spec), input);
  const most = await roadCurve(runs(ROAD_PERCENTAGES.length), input, spec, order);
  const least = await roadCurve(runs(ROAD_PERCENTAGES.length), input, spec, order.slice().reverse());
  const combined = least.probabilities.reduce((sum, p, i) => sum + (p - most.probabilities[i]!) / 2, 0) / least.probabilities.length;
  const randomisation = await randomisationCheck(model, input, explanation, explain, options.seed ?? RANDOMISATION_SEED, part(options, done, total));
  const { mask } = options;
  const onSlice = mask ? maskMetrics(minMaxNormalise(mapToSlice(explanation.map, mask, mask.view).data), mask.inside) : undefined;
  const notes = heat.every((v) => v === heat[0]) ? ['the map is constant: pixels are ranked in pixel order, not by relevance'] : [];
  return {
    classIndex,
    confidence,
    deletion,
    insertion,
    road: { noise: ROAD_NOISE, mostRelevantFirst: most, leastRelevantFirst: least, combined },
    randomisation,
    ...(onSlice ? { mask: onSlice } : {}),
    notes,
  };
}
