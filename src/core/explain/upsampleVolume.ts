import { linearAlongAxis } from '../preprocess/linearAlongAxis';

/** A D×H×W map, depth slowest: `data[(d·height + h)·width + w]`. */
export interface VolumeGrid {
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/**
 * Trilinear resizing of a D×H×W map to `size`, half-pixel centres and the
 * border repeated: torch.nn.functional.interpolate(mode='trilinear',
 * align_corners=False), one axis at a time (the same weights), in float64.
 */
export function resizeVolumeMap(map: VolumeGrid, size: { readonly depth: number; readonly height: number; readonly width: number }): VolumeGrid {
  const from = [map.depth, map.height, map.width];
  const to = [size.depth, size.height, size.width];
  // The axes between in float64; the last one resized writes float32 straight away (the same values as converting after).
  const resizedAxes = [0, 1, 2].filter((axis) => from[axis] !== to[axis]);
  let data: Float32Array | Float64Array = map.data;
  const dims = [...from];
  for (const axis of resizedAxes) {
    const before = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const [n, m] = [dims[axis]!, to[axis]!];
    // torch's area_pixel_compute_source_index with align_corners=False: negative positions clamp to 0.
    const source = (t: number): number => (t + 0.5) * (n / m) - 0.5;
    data =
      axis === resizedAxes.at(-1)
        ? linearAlongAxis(data, before, n, after, m, source, (length) => new Float32Array(length))
        : linearAlongAxis(data, before, n, after, m, source, (length) => new Float64Array(length));
    dims[axis] = m;
  }
  return { depth: size.depth, height: size.height, width: size.width, data: data instanceof Float32Array && data !== map.data ? data : Float32Array.from(data) };
}
