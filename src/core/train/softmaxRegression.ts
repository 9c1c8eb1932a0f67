import { minimize, type LbfgsOptions } from './lbfgs';
import { softmaxObjective } from './softmaxObjective';

/** Rows of features (one per image, `dimensions` wide) with their class indices. */
export interface LabelledFeatures {
  readonly features: Float32Array;
  readonly dimensions: number;
  readonly labels: Int32Array;
  readonly classes: number;
}

/** A linear head: logits = weights · x + bias, weights classes × dimensions (row-major), on raw (unstandardised) features. */
export interface LinearHead {
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly classes: number;
  readonly dimensions: number;
}

export interface SoftmaxFit {
  readonly head: LinearHead;
  /** The optimum in the fit's own standardised coordinates: a warm start for the same rows at another strength. */
  readonly solution: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Class weights n / (classes × n_c), as scikit-learn's class_weight='balanced': every class counts as much in the loss. */
export function balancedWeights(labels: Int32Array, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (const label of labels) counts[label]!++;
  return Float64Array.from(counts, (count) => (count > 0 ? labels.length / (classes * count) : 0));
}

/** Mean and standard deviation of each feature (a constant feature gets 1, so it stays as it is). */
function standardisation(data: LabelledFeatures): { mean: Float64Array; scale: Float64Array } {
  const { features, dimensions } = data;
  const n = features.length / dimensions;
  const mean = new Float64Array(dimensions);
  const scale = new Float64Array(dimensions);
  for (let i = 0; i < n; i++) for (let j = 0; j < dimensions; j++) mean[j]! += features[i * dimensions + j]! / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dimensions; j++) {
      const d = features[i * dimensions + j]! - mean[j]!;
      scale[j]! += (d * d) / n;
    }
  }
  for (let j = 0; j < dimensions; j++) scale[j] = scale[j]! > 1e-24 ? Math.sqrt(scale[j]!) : 1;
  return { mean, scale };
}

/** Log-probabilities of every class for each row (rows × classes), from logits computed with a head. */
export function logProbabilities(head: LinearHead, features: Float32Array): Float64Array {
  const { weights, bias, classes, dimensions } = head;
  const n = features.length / dimensions;
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let z = bias[c]!;
      for (let j = 0; j < dimensions; j++) z += weights[c * dimensions + j]! * features[i * dimensions + j]!;
      out[i * classes + c] = z;
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(out[i * classes + c]! - max);
    const log = max + Math.log(sum);
    for (let c = 0; c < classes; c++) out[i * classes + c]! -= log;
  }
  return out;
}

/**
 * Multinomial logistic regression with an L2 penalty on the weights (not the
 * bias), class-balanced sample weights, fitted with L-BFGS on standardised
 * features: the minimiser of Σ_i w_i·(−log p_i[y_i]) + ‖W‖²/(2C), as
 * scikit-learn's LogisticRegression(C, class_weight='balanced') defines it
 * on StandardScaler'd inputs. The standardisation is folded back into the
 * returned head, so it applies to raw features.
 */
export async function fitSoftmax(data: LabelledFeatures, strength: number, options: LbfgsOptions & { start?: Float64Array } = {}): Promise<SoftmaxFit> {
  const { dimensions, classes, labels } = data;
  const n = labels.length;
  const { mean, scale } = standardisation(data);
  const z = new Float64Array(n * dimensions);
  for (let i = 0; i < n; i++) for (let j = 0; j < dimensions; j++) z[i * dimensions + j] = (data.features[i * dimensions + j]! - mean[j]!) / scale[j]!;
  const classWeights = balancedWeights(labels, classes);
  const size = classes * dimensions;
  const objective = await softmaxObjective(
    z,
    dimensions,
    labels,
    Float64Array.from(labels, (label) => classWeights[label]!),
    classes,
    1 / strength,
  );
  const { start, ...lbfgs } = options;
  const result = await minimize(objective, start ? Float64Array.from(start) : new Float64Array(size + classes), { maxIterations: 1000, ...lbfgs });
  const weights = new Float64Array(size);
  const bias = Float64Array.from(result.x.subarray(size));
  for (let c = 0; c < classes; c++) {
    for (let j = 0; j < dimensions; j++) {
      const w = result.x[c * dimensions + j]! / scale[j]!;
      weights[c * dimensions + j] = w;
      bias[c]! -= w * mean[j]!;
    }
  }
  return { head: { weights, bias, classes, dimensions }, solution: result.x, iterations: result.iterations, converged: result.converged };
}
