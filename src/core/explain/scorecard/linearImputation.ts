import type { InputSpec } from '../../model/manifest';
import { random } from '../seededRandom';
import { at } from '../tensorPixels';

/** ROAD's neighbour weights: 1/6 for the four edge neighbours, 1/12 for the four diagonal ones. */
const NEIGHBOURS: readonly (readonly [number, number, number])[] = [
  [-1, 0, 1 / 6],
  [1, 0, 1 / 6],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [-1, -1, 1 / 12],
  [1, -1, 1 / 12],
  [-1, 1, 1 / 12],
  [1, 1, 1 / 12],
];

/** Stops when the residual is this small against the right-hand side: far below float32, what the model sees. */
const TOLERANCE = 1e-8;
const MAX_ITERATIONS = 5000;

/** SSOR's relaxation: near the optimum for these grid Laplacians; the conjugate gradients make the count insensitive to it. */
const OMEGA = 1.8;

/**
 * The system ROAD's NoisyLinearImputer solves: every removed pixel equals the
 * weighted mean of its in-image neighbours, kept or removed. Symmetric and
 * positive definite (while each removed region touches a kept pixel), so
 * solved by conjugate gradients to the tolerance of the exact sparse solve
 * the reference uses, preconditioned by symmetric SOR sweeps in pixel order:
 * with 90 % of a 224² input removed, about a sixth of the iterations a
 * Jacobi preconditioner needs.
 */
function solve(unknowns: Int32Array, width: number, height: number, removedAt: Int32Array, value: (pixel: number) => number): Float64Array {
  const m = unknowns.length;
  const diag = new Float64Array(m);
  const links = new Int32Array(m * 8).fill(-1);
  const weights = new Float64Array(m * 8);
  const b = new Float64Array(m);
  for (let u = 0; u < m; u++) {
    const pixel = unknowns[u]!;
    const x = pixel % width;
    const y = (pixel - x) / width;
    NEIGHBOURS.forEach(([dx, dy, w], k) => {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) return;
      diag[u]! += w;
      const other = ny * width + nx;
      const v = removedAt[other]!;
      if (v >= 0) {
        links[u * 8 + k] = v;
        weights[u * 8 + k] = w;
      } else b[u]! += w * value(other);
    });
  }
  // Plain loops: this runs for every ROAD copy, on up to every pixel.
  const times = (p: Float64Array, into: Float64Array): void => {
    for (let u = 0; u < m; u++) {
      let sum = diag[u]! * p[u]!;
      for (let k = 0; k < 8; k++) {
        const v = links[u * 8 + k]!;
        if (v >= 0) sum -= weights[u * 8 + k]! * p[v]!;
      }
      into[u] = sum;
    }
  };
  // z = M⁻¹ r for M = ω/(2−ω) (D/ω + L) (D/ω)⁻¹ (D/ω + Lᵀ): a forward sweep, then a backward one (unknowns are in pixel order, so L holds the links to earlier pixels).
  const precondition = (r: Float64Array, z: Float64Array): void => {
    for (let u = 0; u < m; u++) {
      let sum = r[u]!;
      for (let k = 0; k < 8; k++) {
        const v = links[u * 8 + k]!;
        if (v >= 0 && v < u) sum += weights[u * 8 + k]! * z[v]!;
      }
      z[u] = (sum * OMEGA) / diag[u]!;
    }
    for (let u = 0; u < m; u++) z[u] = (z[u]! * diag[u]!) / OMEGA;
    for (let u = m - 1; u >= 0; u--) {
      let sum = z[u]!;
      for (let k = 0; k < 8; k++) {
        const v = links[u * 8 + k]!;
        if (v > u) sum += weights[u * 8 + k]! * z[v]!;
      }
      z[u] = (sum * OMEGA) / diag[u]!;
    }
    for (let u = 0; u < m; u++) z[u] = (z[u]! * (2 - OMEGA)) / OMEGA;
  };
  const x = new Float64Array(m);
  const r = Float64Array.from(b);
  const z = new Float64Array(m);
  const ap = new Float64Array(m);
  precondition(r, z);
  let rz = 0;
  let bb = 0;
  for (let u = 0; u < m; u++) {
    rz += z[u]! * r[u]!;
    bb += b[u]! * b[u]!;
  }
  const p = Float64Array.from(z);
  const limit = TOLERANCE * TOLERANCE * bb;
  let rr = bb;
  for (let iteration = 0; iteration < MAX_ITERATIONS && rr > limit; iteration++) {
    times(p, ap);
    let pap = 0;
    for (let u = 0; u < m; u++) pap += p[u]! * ap[u]!;
    const alpha = rz / pap;
    rr = 0;
    for (let u = 0; u < m; u++) {
      x[u]! += alpha * p[u]!;
      r[u]! -= alpha * ap[u]!;
      rr += r[u]! * r[u]!;
    }
    precondition(r, z);
    let next = 0;
    for (let u = 0; u < m; u++) next += z[u]! * r[u]!;
    const beta = next / rz;
    rz = next;
    for (let u = 0; u < m; u++) p[u] = z[u]! + beta * p[u]!;
  }
  return x;
}

/**
 * Channel `c` as scale · channel 0 + shift, when it is one (a grey scan fed as
 * RGB, each channel with its own mean and std), to float32 rounding; else
 * undefined. Linear imputation commutes with such a map (each row's weights
 * sum to the same as its diagonal), so channel 0's solution serves.
 */
function affineOfFirst(input: Float32Array, spec: InputSpec, c: number): { scale: number; shift: number } | undefined {
  const n = spec.size.width * spec.size.height;
  let lo = 0;
  let hi = 0;
  for (let i = 1; i < n; i++) {
    if (input[at(spec, i, 0)]! < input[at(spec, lo, 0)]!) lo = i;
    if (input[at(spec, i, 0)]! > input[at(spec, hi, 0)]!) hi = i;
  }
  const range = input[at(spec, hi, 0)]! - input[at(spec, lo, 0)]!;
  if (!(range > 0)) return undefined;
  const scale = (input[at(spec, hi, c)]! - input[at(spec, lo, c)]!) / range;
  const shift = input[at(spec, lo, c)]! - scale * input[at(spec, lo, 0)]!;
  for (let i = 0; i < n; i++) {
    const v = input[at(spec, i, c)]!;
    if (Math.abs(v - (scale * input[at(spec, i, 0)]! + shift)) > 1e-5 * Math.max(1, Math.abs(v))) return undefined;
  }
  return { scale, shift };
}

/**
 * ROAD's noisy linear imputation (Rong et al. 2022, NoisyLinearImputer):
 * the `removed` pixels (indices into one channel) of a model input are
 * replaced, channel by channel, by the linear interpolation of the kept ones,
 * plus Gaussian noise of standard deviation `noise` (seeded: the same
 * imputation every run; drawn channel by channel, pixel by pixel in index order).
 */
export function noisyLinearImputation(input: Float32Array, spec: InputSpec, removed: ArrayLike<number>, noise: number, seed: number): Float32Array {
  const { width, height } = spec.size;
  const unknowns = Int32Array.from(removed).sort();
  const removedAt = new Int32Array(width * height).fill(-1);
  unknowns.forEach((pixel, u) => (removedAt[pixel] = u));
  const out = new Float32Array(input);
  const next = random(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  let first: Float64Array | undefined;
  for (let c = 0; c < spec.channels; c++) {
    const affine = first && affineOfFirst(input, spec, c);
    const solved = affine ? first!.map((v) => affine.scale * v + affine.shift) : solve(unknowns, width, height, removedAt, (pixel) => input[at(spec, pixel, c)]!);
    first ??= solved;
    unknowns.forEach((pixel, u) => (out[at(spec, pixel, c)] = solved[u]! + noise * gauss()));
  }
  return out;
}
