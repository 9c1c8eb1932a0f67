import type { Objective } from './lbfgs';

/** Classes are handled four at a time and rows two (logits) or four (gradient) at a time; padding makes every block whole. */
const CLASS_BLOCK = 4;
const ROW_BLOCK = 4;

const roundUp = (value: number, block: number): number => Math.ceil(value / block) * block;

/**
 * The multinomial logistic regression objective on fixed rows:
 * Σ_i w_i·(−log softmax(W·z_i + b)[y_i]) + ‖W‖²/(2C), with its gradient,
 * for L-BFGS. The parameters are W (classes × dimensions, row-major) then b.
 *
 * It is two small matrix products per evaluation (logits, then the
 * gradient), so the loops are blocked in registers: four classes share each
 * feature read and two or four rows each weight read, which makes an
 * evaluation several times faster than one dot product at a time. Padding
 * rows carry weight 0 and padding classes weights 0, so they add exact zeros;
 * every sum runs in a fixed order, so the result is the same on every run.
 * Nothing is allocated per evaluation.
 */
export function softmaxObjective(z: Float64Array, dimensions: number, labels: Int32Array, rowWeights: Float64Array, classes: number, penalty: number): Objective {
  const n = labels.length;
  const d = dimensions;
  const size = classes * d;
  const rows = roundUp(n, ROW_BLOCK);
  const width = roundUp(classes, CLASS_BLOCK);
  const features = new Float64Array(rows * d);
  features.set(z.subarray(0, n * d));
  const weights = new Float64Array(width * d);
  const bias = new Float64Array(width);
  const gradient = new Float64Array(width * d);
  // Logits, then each row's residual w_i·(p_i − onehot(y_i)), rows × width; padding rows and classes stay 0.
  const scores = new Float64Array(rows * width);
  return (x, out) => {
    weights.set(x.subarray(0, size));
    bias.set(x.subarray(size, size + classes));
    for (let c0 = 0; c0 < width; c0 += CLASS_BLOCK) {
      const w0 = c0 * d;
      const w1 = w0 + d;
      const w2 = w1 + d;
      const w3 = w2 + d;
      const b0 = bias[c0]!;
      const b1 = bias[c0 + 1]!;
      const b2 = bias[c0 + 2]!;
      const b3 = bias[c0 + 3]!;
      for (let i = 0; i < rows; i += 2) {
        const r0 = i * d;
        const r1 = r0 + d;
        let a0 = b0;
        let a1 = b1;
        let a2 = b2;
        let a3 = b3;
        let e0 = b0;
        let e1 = b1;
        let e2 = b2;
        let e3 = b3;
        for (let j = 0; j < d; j++) {
          const u = features[r0 + j]!;
          const v = features[r1 + j]!;
          const p0 = weights[w0 + j]!;
          const p1 = weights[w1 + j]!;
          const p2 = weights[w2 + j]!;
          const p3 = weights[w3 + j]!;
          a0 += p0 * u;
          a1 += p1 * u;
          a2 += p2 * u;
          a3 += p3 * u;
          e0 += p0 * v;
          e1 += p1 * v;
          e2 += p2 * v;
          e3 += p3 * v;
        }
        const o = i * width + c0;
        scores[o] = a0;
        scores[o + 1] = a1;
        scores[o + 2] = a2;
        scores[o + 3] = a3;
        scores[o + width] = e0;
        scores[o + width + 1] = e1;
        scores[o + width + 2] = e2;
        scores[o + width + 3] = e3;
      }
    }
    let loss = 0;
    for (let c = 0; c < classes; c++) out[size + c] = 0;
    for (let i = 0; i < n; i++) {
      const o = i * width;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, scores[o + c]!);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(scores[o + c]! - max);
      const logSum = max + Math.log(sum);
      const label = labels[i]!;
      const weight = rowWeights[i]!;
      loss += weight * (logSum - scores[o + label]!);
      for (let c = 0; c < classes; c++) {
        const residual = weight * (Math.exp(scores[o + c]! - logSum) - (c === label ? 1 : 0));
        scores[o + c] = residual;
        out[size + c]! += residual;
      }
      for (let c = classes; c < width; c++) scores[o + c] = 0;
    }
    for (let k = n * width; k < rows * width; k++) scores[k] = 0;
    gradient.fill(0);
    for (let c0 = 0; c0 < width; c0 += CLASS_BLOCK) {
      const w0 = c0 * d;
      const w1 = w0 + d;
      const w2 = w1 + d;
      const w3 = w2 + d;
      for (let i = 0; i < rows; i += ROW_BLOCK) {
        const r0 = i * d;
        const r1 = r0 + d;
        const r2 = r1 + d;
        const r3 = r2 + d;
        const o = i * width + c0;
        const a0 = scores[o]!;
        const a1 = scores[o + 1]!;
        const a2 = scores[o + 2]!;
        const a3 = scores[o + 3]!;
        const b0 = scores[o + width]!;
        const b1 = scores[o + width + 1]!;
        const b2 = scores[o + width + 2]!;
        const b3 = scores[o + width + 3]!;
        const e0 = scores[o + 2 * width]!;
        const e1 = scores[o + 2 * width + 1]!;
        const e2 = scores[o + 2 * width + 2]!;
        const e3 = scores[o + 2 * width + 3]!;
        const f0 = scores[o + 3 * width]!;
        const f1 = scores[o + 3 * width + 1]!;
        const f2 = scores[o + 3 * width + 2]!;
        const f3 = scores[o + 3 * width + 3]!;
        for (let j = 0; j < d; j++) {
          const u = features[r0 + j]!;
          const v = features[r1 + j]!;
          const p = features[r2 + j]!;
          const q = features[r3 + j]!;
          gradient[w0 + j]! += a0 * u + b0 * v + e0 * p + f0 * q;
          gradient[w1 + j]! += a1 * u + b1 * v + e1 * p + f1 * q;
          gradient[w2 + j]! += a2 * u + b2 * v + e2 * p + f2 * q;
          gradient[w3 + j]! += a3 * u + b3 * v + e3 * p + f3 * q;
        }
      }
    }
    for (let k = 0; k < size; k++) {
      loss += 0.5 * penalty * x[k]! * x[k]!;
      out[k] = gradient[k]! + penalty * x[k]!;
    }
    return loss;
  };
}
