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

/**
 * The system ROAD's NoisyLinearImputer solves: every removed pixel equals the
 * weighted mean of its in-image neighbours, kept or removed. Symmetric and
 * positive definite (while each removed region touches a kept pixel), so
 * solved by conjugate gradients with a Jacobi preconditioner, to the
 * tolerance of the exact sparse solve the reference uses.
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
  // Plain loops: this runs for every ROAD copy, on up to every pixel.
  const x = new Float64Array(m);
  const r = Float64Array.from(b);
  const z = new Float64Array(m);
  const ap = new Float64Array(m);
  let rz = 0;
  let bb = 0;
  for (let u = 0; u < m; u++) {
    z[u] = r[u]! / diag[u]!;
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
    let next = 0;
    rr = 0;
    for (let u = 0; u < m; u++) {
      x[u]! += alpha * p[u]!;
      const ru = r[u]! - alpha * ap[u]!;
      r[u] = ru;
      rr += ru * ru;
      const zu = ru / diag[u]!;
      z[u] = zu;
      next += zu * ru;
    }
    const beta = next / rz;
    rz = next;
    for (let u = 0; u < m; u++) p[u] = z[u]! + beta * p[u]!;
  }
  return x;
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
  for (let c = 0; c < spec.channels; c++) {
    const solved = solve(unknowns, width, height, removedAt, (pixel) => input[at(spec, pixel, c)]!);
    unknowns.forEach((pixel, u) => (out[at(spec, pixel, c)] = solved[u]! + noise * gauss()));
  }
  return out;
}
