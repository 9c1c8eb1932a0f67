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
  let data: Float64Array = Float64Array.from(map.data);
  const dims = [...from];
  for (let axis = 0; axis < 3; axis++) {
    const before = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const [n, m] = [dims[axis]!, to[axis]!];
    // torch's area_pixel_compute_source_index with align_corners=False: negative positions clamp to 0.
    if (n !== m)
      data = linearAlongAxis(
        data,
        before,
        n,
        after,
        m,
        (t) => (t + 0.5) * (n / m) - 0.5,
        (length) => new Float64Array(length),
      );
    dims[axis] = to[axis]!;
  }
  return { depth: size.depth, height: size.height, width: size.width, data: Float32Array.from(data) };
}
