import type { TensorAxis, VolumeGeometry } from './volume3dGeometry';

/** A map over the tensor's extent: `data[(d·height + h)·width + w]`, on the tensor grid or a coarser one covering it (a layer's). */
export interface VolumeMap {
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

/** For every stored index along one voxel axis: the two map samples to blend (lo, lo + hi) and the weight of the second; inside false where the voxel falls off the tensor. */
interface AxisSamples {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly weight: Float32Array;
  readonly inside: Uint8Array;
}

function axisSamples(axis: TensorAxis, n: number, tensorSize: number, mapSize: number): AxisSamples {
  const samples = { lo: new Int32Array(n), hi: new Int32Array(n), weight: new Float32Array(n), inside: new Uint8Array(n) };
  const ratio = mapSize / tensorSize;
  for (let x = 0; x < n; x++) {
    const c = axis.start + axis.step * x;
    // The tensor's voxel d covers [d − ½, d + ½): a voxel beyond that was cropped away or never reached the model.
    if (!(c >= -0.5 && c < tensorSize - 0.5)) continue;
    samples.inside[x] = 1;
    const m = Math.min(mapSize - 1, Math.max(0, (c + 0.5) * ratio - 0.5));
    const lo = Math.floor(m);
    samples.lo[x] = lo;
    samples.hi[x] = Math.min(mapSize - 1, lo + 1);
    samples.weight[x] = m - lo;
  }
  return samples;
}

/**
 * A map on the model's tensor grid (or a coarser grid covering the same
 * extent) on the scan's own voxel grid, the exact inverse of prepareVolume's
 * geometry: scan voxel (x, y, z) lies at tensor coordinate
 * c_a = start_a + step_a·(its index along axes[a].voxel) on each tensor axis a
 * (reorientation, resampling, crop/pad; see volumeGeometry). A map of m
 * samples over a tensor axis of n voxels is read at (c + ½)·m/n − ½, clamped
 * to [0, m − 1] — half-pixel centres and repeated borders, as PyTorch's
 * trilinear interpolate with align_corners=False — and blended trilinearly.
 * A voxel whose coordinate lies outside [−½, n − ½) on any axis (cropped
 * away, or beyond the tensor) gets `outside`. Returned as the scan stores its
 * voxels: x fastest, then y, then z.
 */
export function mapToScanGrid(map: VolumeMap, geometry: VolumeGeometry, outside = 0): Float32Array {
  const [nx, ny, nz] = geometry.scan;
  const sizes = [map.depth, map.height, map.width] as const;
  if (map.data.length !== map.depth * map.height * map.width) throw new RangeError(`map data has ${map.data.length} values for ${map.depth}×${map.height}×${map.width}`);
  // Per tensor axis, the samples along the stored axis it reads; strides of D, H, W in the map.
  const samples = geometry.axes.map((axis, a) => axisSamples(axis, geometry.scan[axis.voxel]!, geometry.tensor[a]!, sizes[a]!));
  const strides = [map.height * map.width, map.width, 1];
  // For stored axis v: which tensor axis reads it.
  const tensorAxisOf = [0, 1, 2].map((v) => geometry.axes.findIndex((axis) => axis.voxel === v));
  const [ax, ay, az] = tensorAxisOf as [number, number, number];
  const [sx, sy, sz] = [samples[ax]!, samples[ay]!, samples[az]!];
  const [kx, ky, kz] = [strides[ax]!, strides[ay]!, strides[az]!];
  const source = map.data;
  const out = new Float32Array(nx * ny * nz);
  let at = 0;
  for (let z = 0; z < nz; z++) {
    const [z0, z1, wz] = [sz.lo[z]! * kz, sz.hi[z]! * kz, sz.weight[z]!];
    for (let y = 0; y < ny; y++) {
      const [y0, y1, wy] = [sy.lo[y]! * ky, sy.hi[y]! * ky, sy.weight[y]!];
      const rowInside = sz.inside[z]! & sy.inside[y]!;
      const [c00, c01, c10, c11] = [z0 + y0, z0 + y1, z1 + y0, z1 + y1];
      for (let x = 0; x < nx; x++, at++) {
        if (!(rowInside & sx.inside[x]!)) {
          out[at] = outside;
          continue;
        }
        const [x0, x1, wx] = [sx.lo[x]! * kx, sx.hi[x]! * kx, sx.weight[x]!];
        const a = source[c00 + x0]! + (source[c00 + x1]! - source[c00 + x0]!) * wx;
        const b = source[c01 + x0]! + (source[c01 + x1]! - source[c01 + x0]!) * wx;
        const c = source[c10 + x0]! + (source[c10 + x1]! - source[c10 + x0]!) * wx;
        const d = source[c11 + x0]! + (source[c11 + x1]! - source[c11 + x0]!) * wx;
        const ab = a + (b - a) * wy;
        out[at] = ab + (c + (d - c) * wy - ab) * wz;
      }
    }
  }
  return out;
}
