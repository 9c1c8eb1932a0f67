import { linearAlongAxis } from '../preprocess/linearAlongAxis';

/** A D×H×W map, depth slowest: `data[(d·height + h)·width + w]`. */
export interface VolumeGrid {
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** A map resized to a grid and stretched to [0,1], with the index of its first largest voxel before stretching. */
export interface NormalisedGrid {
  readonly grid: VolumeGrid;
  readonly peak: number;
}

/** torch's area_pixel_compute_source_index with align_corners=False, clamped to the source (the border repeated). */
const sourcePosition = (t: number, n: number, m: number): number => Math.min(n - 1, Math.max(0, (t + 0.5) * (n / m) - 0.5));

/**
 * Trilinear resizing of a D×H×W map to `size` — half-pixel centres and the
 * border repeated: torch.nn.functional.interpolate(mode='trilinear',
 * align_corners=False), one axis at a time (the same weights) in float64,
 * rounded to float32 — then stretched to [0,1] from its extremes (a constant
 * map to zeros), and the first largest voxel found, as a pass for the extent
 * over the float32 grid would. Width and height are resized first, into a
 * stack of depth planes; each output voxel then mixes two neighbouring planes
 * with a weight that grows with its depth, so along each pair of planes it is
 * monotonic, and the grid's extremes lie on the first or last depth between
 * each pair. Those few depths give the extent, and the one pass over the
 * large grid writes the stretched values.
 */
export function resizeNormalised(map: VolumeGrid, size: { readonly depth: number; readonly height: number; readonly width: number }): NormalisedGrid {
  let planes: Float32Array | Float64Array = map.data;
  const dims = [map.depth, map.height, map.width];
  const to = [size.depth, size.height, size.width];
  for (const axis of [2, 1]) {
    if (dims[axis] === to[axis]) continue;
    const before = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const [n, m] = [dims[axis]!, to[axis]!];
    planes = linearAlongAxis(
      planes,
      before,
      n,
      after,
      m,
      (t) => sourcePosition(t, n, m),
      (length) => new Float64Array(length),
    );
    dims[axis] = m;
  }
  const [n, m, plane] = [map.depth, size.depth, size.height * size.width];
  // Per output depth: the two planes it mixes and the weight of the second.
  const lower = new Int32Array(m);
  const upper = new Int32Array(m);
  const weight = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const position = sourcePosition(t, n, m);
    lower[t] = Math.floor(position);
    upper[t] = Math.min(n - 1, lower[t]! + 1);
    weight[t] = position - lower[t]!;
  }
  const source = planes;
  const value = (t: number, b: number): number => Math.fround(source[lower[t]! * plane + b]! * (1 - weight[t]!) + source[upper[t]! * plane + b]! * weight[t]!);
  // Runs of depths that mix the same two planes, in order: [first, last].
  const runs: [number, number][] = [];
  for (let t = 0; t < m; t++) {
    if (t > 0 && lower[t] === lower[t - 1]) runs.at(-1)![1] = t;
    else runs.push([t, t]);
  }
  let [lo, hi] = [Infinity, -Infinity];
  for (const [first, last] of runs) {
    for (const t of first === last ? [first] : [first, last]) {
      for (let b = 0; b < plane; b++) {
        const v = value(t, b);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  const peak = firstAt(hi, runs, plane, value);
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  const data = mixPlanes(source, plane, lower, upper, weight, lo, scale);
  return { grid: { depth: size.depth, height: size.height, width: size.width, data }, peak };
}

/** The one pass over the grid: each depth's two planes mixed, rounded to float32 and stretched (a function of its own, whose variables no closure captures). */
function mixPlanes(source: Float32Array | Float64Array, plane: number, lower: Int32Array, upper: Int32Array, weight: Float64Array, lo: number, scale: number): Float32Array {
  const data = new Float32Array(lower.length * plane);
  for (let t = 0; t < lower.length; t++) {
    const [l, u, w] = [lower[t]! * plane, upper[t]! * plane, weight[t]!];
    const out = t * plane;
    for (let b = 0; b < plane; b++) data[out + b] = (Math.fround(source[l + b]! * (1 - w) + source[u + b]! * w) - lo) * scale;
  }
  return data;
}

/**
 * The first flat index holding `hi`, the grid's largest value: within a run
 * a voxel's values are monotonic in depth, so it reaches `hi` at the run's
 * first depth, or at its last and, where rounding to float32 ties, on a few
 * depths before it.
 */
function firstAt(hi: number, runs: readonly (readonly [number, number])[], plane: number, value: (t: number, b: number) => number): number {
  for (const [first, last] of runs) {
    let best = Infinity;
    for (let b = 0; b < plane; b++) {
      let t = -1;
      if (value(first, b) === hi) t = first;
      else if (value(last, b) === hi) for (t = last; t > first && value(t - 1, b) === hi; t--);
      if (t >= 0) best = Math.min(best, t * plane + b);
    }
    if (best < Infinity) return best;
  }
  return 0;
}
