/** Adam with decoupled weight decay, as PyTorch's torch.optim.AdamW. */
export interface AdamWSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/**
 * AdamW over a list of parameter tensors, updated in place: each step first
 * shrinks every weight by lr·decay (decoupled from the gradient), then moves
 * it by lr·m̂/(√v̂ + ε) with bias-corrected moment estimates, in PyTorch's
 * order of operations. Moments are kept in float64; weights stay float32,
 * as the model stores them.
 */
export class AdamW {
  private steps = 0;
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];

  constructor(
    readonly settings: AdamWSettings,
    sizes: readonly number[],
  ) {
    this.m = sizes.map((n) => new Float64Array(n));
    this.v = sizes.map((n) => new Float64Array(n));
  }

  step(parameters: readonly Float32Array[], gradients: readonly ArrayLike<number>[]): void {
    const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = this.settings;
    this.steps++;
    const stepSize = lr / (1 - beta1 ** this.steps);
    const correction2 = Math.sqrt(1 - beta2 ** this.steps);
    const shrink = 1 - lr * weightDecay;
    parameters.forEach((p, i) => {
      const g = gradients[i]!;
      const m = this.m[i]!;
      const v = this.v[i]!;
      for (let k = 0; k < p.length; k++) {
        const gk = g[k]!;
        m[k] = beta1 * m[k]! + (1 - beta1) * gk;
        v[k] = beta2 * v[k]! + (1 - beta2) * gk * gk;
        p[k] = p[k]! * shrink - (stepSize * m[k]!) / (Math.sqrt(v[k]!) / correction2 + epsilon);
      }
    });
  }
}
