/** A D×H×W map, depth slowest: `data[(d·height + h)·width + w]`. */
export interface VolumeGrid {
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** Linear resampling along one axis of a C-ordered [before, n, after] block to m samples at half-pixel centres. */
function resizeAxis(data: Float64Array, before: number, n: number, after: number, m: number): Float64Array {
  if (n === m) return data;
  const out = new Float64Array(before * m * after);
  const scale = n / m;
  for (let t = 0; t < m; t++) {
    // torch's area_pixel_compute_source_index with align_corners=False: negative positions clamp to 0.
    const position = Math.max(0, (t + 0.5) * scale - 0.5);
    const lo = Math.min(n - 1, Math.floor(position));
    const hi = lo < n - 1 ? lo + 1 : lo;
    const w = position - lo;
    for (let a = 0; a < before; a++) {
      const source = a * n * after;
      const target = (a * m + t) * after;
      for (let b = 0; b < after; b++) out[target + b] = data[source + lo * after + b]! * (1 - w) + data[source + hi * after + b]! * w;
    }
  }
  return out;
}

/**
 * Trilinear resizing of a D×H×W map to `size`, half-pixel centres and the
 * border repeated: torch.nn.functional.interpolate(mode='trilinear',
 * align_corners=False), one axis at a time (the same weights), in float64.
 */
export function resizeVolumeMap(map: VolumeGrid, size: { readonly depth: number; readonly height: number; readonly width: number }): VolumeGrid {
  const from = [map.depth, map.height, map.width];
  const to = [size.depth, size.height, size.width];
  let data: Float64Array = Float64Array.from(map.data);
  const dims = [...from];
  for (let axis = 0; axis < 3; axis++) {
    const before = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    data = resizeAxis(data, before, dims[axis]!, after, to[axis]!);
    dims[axis] = to[axis]!;
  }
  return { depth: size.depth, height: size.height, width: size.width, data: Float32Array.from(data) };
}
