/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.:
 * Algorithm 7.4's two-loop recursion, Algorithm 3.5/3.6's line search for
 * the strong Wolfe conditions), for smooth convex objectives such as the
 * linear probe's regularised softmax loss.
 */

/** The objective: writes its gradient at `x` into `gradient` and returns its value (or a promise of it, when another runtime computes it). */
export type Objective = (x: Float64Array, gradient: Float64Array) => number | Promise<number>;

export interface LbfgsOptions {
  /** Correction pairs kept. */
  readonly memory?: number;
  readonly maxIterations?: number;
  /** Converged when the gradient's largest component is at most this (scipy's pgtol). */
  readonly gradientTolerance?: number;
  /** Or when the value falls by less than this, relative to its size (scipy's factr × eps). */
  readonly relativeTolerance?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const C1 = 1e-4;
const C2 = 0.9;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

interface Point {
  readonly x: Float64Array;
  readonly gradient: Float64Array;
  readonly value: number;
}

/** f, its gradient and the directional derivative at x + step·direction. */
async function probe(f: Objective, x: Float64Array, direction: Float64Array, step: number): Promise<Point & { slope: number }> {
  const at = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) at[i] = x[i]! + step * direction[i]!;
  const gradient = new Float64Array(x.length);
  const value = await f(at, gradient);
  return { x: at, gradient, value, slope: dot(gradient, direction) };
}

/** A step satisfying the strong Wolfe conditions along a descent direction, or undefined when none is found. */
async function wolfeStep(f: Objective, start: Point, direction: Float64Array, initial: number): Promise<Point | undefined> {
  const slope0 = dot(start.gradient, direction);
  let previous = { step: 0, value: start.value, slope: slope0 };
  let step = initial;
  const zoom = async (low: typeof previous, high: typeof previous): Promise<Point | undefined> => {
    for (let k = 0; k < 40; k++) {
      const mid = (low.step + high.step) / 2;
      const at = await probe(f, start.x, direction, mid);
      if (at.value > start.value + C1 * mid * slope0 || at.value >= low.value) high = { step: mid, value: at.value, slope: at.slope };
      else {
        if (Math.abs(at.slope) <= -C2 * slope0) return at;
        if (at.slope * (high.step - low.step) >= 0) high = low;
        low = { step: mid, value: at.value, slope: at.slope };
      }
    }
    return undefined;
  };
  for (let k = 0; k < 40; k++) {
    const at = await probe(f, start.x, direction, step);
    if (!Number.isFinite(at.value)) {
      step /= 2;
      continue;
    }
    if (at.value > start.value + C1 * step * slope0 || (k > 0 && at.value >= previous.value)) return zoom(previous, { step, value: at.value, slope: at.slope });
    if (Math.abs(at.slope) <= -C2 * slope0) return at;
    if (at.slope >= 0) return zoom({ step, value: at.value, slope: at.slope }, previous);
    previous = { step, value: at.value, slope: at.slope };
    step *= 2;
  }
  return undefined;
}

/** The two-loop recursion: −H·gradient, H the inverse Hessian approximation the correction pairs make. */
function descent(gradient: Float64Array, s: readonly Float64Array[], y: readonly Float64Array[], rho: readonly number[]): Float64Array {
  const q = Float64Array.from(gradient);
  const n = q.length;
  const alpha = new Float64Array(s.length);
  for (let i = s.length - 1; i >= 0; i--) {
    const yi = y[i]!;
    const a = rho[i]! * dot(s[i]!, q);
    alpha[i] = a;
    for (let j = 0; j < n; j++) q[j]! -= a * yi[j]!;
  }
  const gamma = s.length > 0 ? dot(s.at(-1)!, y.at(-1)!) / dot(y.at(-1)!, y.at(-1)!) : 1 / Math.max(1, Math.sqrt(dot(gradient, gradient)));
  for (let j = 0; j < n; j++) q[j]! *= gamma;
  for (let i = 0; i < s.length; i++) {
    const si = s[i]!;
    const c = alpha[i]! - rho[i]! * dot(y[i]!, q);
    for (let j = 0; j < n; j++) q[j]! += si[j]! * c;
  }
  for (let j = 0; j < n; j++) q[j] = -q[j]!;
  return q;
}

export async function minimize(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): Promise<LbfgsResult> {
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 500;
  const gradientTolerance = options.gradientTolerance ?? 1e-5;
  const relativeTolerance = options.relativeTolerance ?? 1e-10;
  const gradient0 = new Float64Array(x0.length);
  let point: Point = { x: Float64Array.from(x0), gradient: gradient0, value: await f(x0, gradient0) };
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(point.gradient) <= gradientTolerance) return { ...point, iterations: iteration, converged: true };
    const q = descent(point.gradient, s, y, rho);
    const next = await wolfeStep(f, point, q, 1);
    if (!next) return { ...point, iterations: iteration, converged: false };
    const step = new Float64Array(q.length);
    const change = new Float64Array(q.length);
    for (let j = 0; j < q.length; j++) {
      step[j] = next.x[j]! - point.x[j]!;
      change[j] = next.gradient[j]! - point.gradient[j]!;
    }
    const curvature = dot(step, change);
    if (curvature > 1e-12) {
      s.push(step);
      y.push(change);
      rho.push(1 / curvature);
      if (s.length > memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
    }
    const fell = point.value - next.value;
    const size = Math.max(Math.abs(point.value), Math.abs(next.value), 1);
    point = next;
    if (fell <= relativeTolerance * size) return { ...point, iterations: iteration + 1, converged: true };
  }
  return { ...point, iterations: maxIterations, converged: maxAbs(point.gradient) <= gradientTolerance };
}
