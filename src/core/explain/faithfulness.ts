import { scaledSoftmax } from '../model/softmax';
import type { LoadedModel } from '../model/loadModel';
import { runModel } from '../model/runModel';
import type { RawMap } from './explain';
import { random } from './seededRandom';
import { at, maskPixels, pixelCount } from './tensorPixels';
import { upsampleMap } from './upsample';

/**
 * Faithfulness of a map: does the model's confidence follow the pixels the
 * map calls relevant? Works in the model's input space (after mean/std), so
 * a removed pixel is 0 there (the dataset mean) or imputed from neighbours.
 */

async function classProbabilities(model: LoadedModel, inputs: Float32Array[], classIndex: number): Promise<number[]> {
  const outputs = await runModel(model, inputs);
  return outputs.map((o) => (model.manifest.output.type === 'probabilities' ? o[classIndex]! : scaledSoftmax(o, model.manifest.output.temperature)[classIndex]!));
}

/** Pixel order by relevance, most relevant first (ties by position). */
function rankPixels(model: LoadedModel, map: RawMap): number[] {
  const heat = upsampleMap(map, model.manifest.input.size).data;
  return Array.from(heat.keys()).sort((a, b) => heat[b]! - heat[a]! || a - b);
}

export interface ConfidenceChange {
  readonly original: number;
  readonly kept: number;
  /** max(0, original − kept) / original: pytorch-grad-cam's "drop in confidence". */
  readonly drop: number;
  /** True when keeping only the relevant pixels raised the class probability. */
  readonly increase: boolean;
}

/** Class probability when only the top `keepPercent` % most relevant pixels are kept. */
export async function confidenceChange(model: LoadedModel, input: Float32Array, map: RawMap, classIndex: number, keepPercent: number): Promise<ConfidenceChange> {
  const order = rankPixels(model, map);
  const mask = new Float32Array(order.length);
  for (const i of order.slice(0, Math.round((order.length * keepPercent) / 100))) mask[i] = 1;
  const [original, kept] = await classProbabilities(model, [input, maskPixels(input, model.manifest.input, mask)], classIndex);
  return { original: original!, kept: kept!, drop: Math.max(0, original! - kept!) / original!, increase: kept! > original! };
}

/**
 * ROAD's noisy linear imputation: every removed pixel becomes the weighted
 * mean of its neighbours (1/6 edge, 1/12 diagonal), solved by Gauss-Seidel
 * sweeps, plus Gaussian noise of `noise` standard deviation.
 */
export function imputePixels(data: Float32Array, model: LoadedModel, removed: Uint8Array, noise: number, seed = 1): Float32Array {
  const spec = model.manifest.input;
  const { width, height } = spec.size;
  const out = new Float32Array(data);
  const next = random(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const neighbours: [number, number, number][] = [
    [-1, 0, 1 / 6],
    [1, 0, 1 / 6],
    [0, -1, 1 / 6],
    [0, 1, 1 / 6],
    [-1, -1, 1 / 12],
    [1, -1, 1 / 12],
    [-1, 1, 1 / 12],
    [1, 1, 1 / 12],
  ];
  const targets = Array.from(removed.keys()).filter((i) => removed[i]);
  for (let c = 0; c < spec.channels; c++) {
    for (let sweep = 0; sweep < 200; sweep++) {
      for (const i of targets) {
        const x = i % width;
        const y = Math.floor(i / width);
        let total = 0;
        let weight = 0;
        for (const [dx, dy, w] of neighbours) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          total += w * out[at(spec, ny * width + nx, c)]!;
          weight += w;
        }
        out[at(spec, i, c)] = total / weight;
      }
    }
    if (noise > 0) for (const i of targets) out[at(spec, i, c)]! += noise * gauss();
  }
  return out;
}

export interface RoadPoint {
  readonly percent: number;
  readonly probability: number;
}

/**
 * ROAD perturbation curve: class probability as the most (or least) relevant
 * pixels are removed by noisy linear imputation, at each percentage. A
 * faithful map drops fast removing the most relevant first and slowly
 * removing the least relevant first.
 */
export async function roadCurve(
  model: LoadedModel,
  input: Float32Array,
  map: RawMap,
  classIndex: number,
  order: 'most-relevant-first' | 'least-relevant-first',
  percents: readonly number[] = [10, 20, 30, 40, 50, 60, 70, 80, 90],
  noise = 0.01,
): Promise<RoadPoint[]> {
  const ranked = rankPixels(model, map);
  if (order === 'least-relevant-first') ranked.reverse();
  const inputs = percents.map((p) => {
    const removed = new Uint8Array(pixelCount(model.manifest.input));
    for (const i of ranked.slice(0, Math.round((ranked.length * p) / 100))) removed[i] = 1;
    return imputePixels(input, model, removed, noise);
  });
  const probabilities = await classProbabilities(model, inputs, classIndex);
  return percents.map((percent, i) => ({ percent, probability: probabilities[i]! }));
}
