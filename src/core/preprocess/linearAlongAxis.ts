/**
 * Linear interpolation along one axis of a C-ordered [before, n, after] block
 * to m samples: sample t reads the source at position `sourceOf(t)`, clamped to
 * [0, n − 1] (the border repeated). Resampling a volume to a spacing and
 * resizing a 3D map to the tensor grid are this, axis after axis, with their
 * own positions.
 */
export function linearAlongAxis<T extends Float32Array | Float64Array>(
  data: Float32Array | Float64Array,
  before: number,
  n: number,
  after: number,
  m: number,
  sourceOf: (t: number) => number,
  make: (length: number) => T,
): T {
  const out = make(before * m * after);
  for (let t = 0; t < m; t++) {
    const position = Math.min(n - 1, Math.max(0, sourceOf(t)));
    const lo = Math.floor(position);
    const hi = Math.min(n - 1, lo + 1);
    const w = position - lo;
    for (let a = 0; a < before; a++) {
      const source = a * n * after;
      const target = (a * m + t) * after;
      for (let b = 0; b < after; b++) out[target + b] = data[source + lo * after + b]! * (1 - w) + data[source + hi * after + b]! * w;
    }
  }
  return out;
}
