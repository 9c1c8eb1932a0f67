import type { VolumeGrid } from '../explain/upsampleVolume';
import { extent } from '../explain/upsample';
import type { Image2D } from '../image';
import { blendHeat, type ColormapName } from './colormaps';
import { pngFromBytes } from './pngEncode';

/** Gap between panels, in pixels (black). */
const GAP = 4;
/** Panels are enlarged (nearest neighbour, whole multiples) until the longest tensor side reaches about this many pixels. */
const TARGET = 256;

/** One panel: for each pixel (row, column) the tensor voxel it shows, or a plane through the peak, radiologically oriented. */
interface Plane {
  readonly width: number;
  readonly height: number;
  readonly voxel: (row: number, column: number) => number;
}

/**
 * The three planes through voxel (pd, ph, pw) of a D×H×W tensor along R, A,
 * S, as the viewer shows slices (core/scan/reslice.ts): axial with anterior
 * up and the patient's right on the left, coronal with superior up and right
 * on the left, sagittal with superior up and the face to the left.
 */
function planes(grid: VolumeGrid, [pd, ph, pw]: readonly [number, number, number]): Plane[] {
  const { depth: D, height: H, width: W } = grid;
  const at = (d: number, h: number, w: number): number => (d * H + h) * W + w;
  return [
    { width: D, height: H, voxel: (r, c) => at(D - 1 - c, H - 1 - r, pw) },
    { width: D, height: W, voxel: (r, c) => at(D - 1 - c, ph, W - 1 - r) },
    { width: H, height: W, voxel: (r, c) => at(pd, H - 1 - c, W - 1 - r) },
  ];
}

/**
 * A PNG of the axial, coronal and sagittal planes through a 3D map's peak,
 * side by side: the model's input (its one channel, min-max stretched to grey
 * over the whole tensor) with the map (on the same grid) coloured and blended
 * over it as 2D overlays are (blendHeat), the map's colours spanning its
 * range over the whole volume so the three panels share one scale. Each
 * tensor voxel is drawn square, whatever the tensor's spacing.
 */
export function volumeMontagePng(tensor: Float32Array, grid: VolumeGrid, peak: readonly [number, number, number], colormap: ColormapName, alpha: number): Buffer {
  const scale = Math.max(1, Math.floor(TARGET / Math.max(grid.depth, grid.height, grid.width)));
  const panels = planes(grid, peak);
  const width = panels.reduce((sum, p) => sum + p.width * scale, 0) + GAP * (panels.length - 1);
  const height = Math.max(...panels.map((p) => p.height * scale));
  const out = new Uint8Array(width * height * 3);
  // The first channel (a 3D model takes one).
  const first = tensor.subarray(0, grid.data.length);
  const { lo, hi } = extent(first);
  const span = hi > lo ? hi - lo : 1;
  const range = extent(grid.data);
  let left = 0;
  for (const panel of panels) {
    const n = panel.width * panel.height;
    const base: Image2D = { width: panel.width, height: panel.height, channels: 1, data: new Float32Array(n) };
    const heat = new Float32Array(n);
    for (let r = 0; r < panel.height; r++) {
      for (let c = 0; c < panel.width; c++) {
        const v = panel.voxel(r, c);
        base.data[r * panel.width + c] = (first[v]! - lo) / span;
        heat[r * panel.width + c] = grid.data[v]!;
      }
    }
    const rgb = new Uint8ClampedArray(n * 3);
    blendHeat(colormap, base, heat, range, alpha, rgb, 255);
    for (let y = 0; y < panel.height * scale; y++) {
      const row = Math.floor(y / scale) * panel.width;
      for (let x = 0; x < panel.width * scale; x++) {
        const from = (row + Math.floor(x / scale)) * 3;
        const to = (y * width + left + x) * 3;
        out[to] = rgb[from]!;
        out[to + 1] = rgb[from + 1]!;
        out[to + 2] = rgb[from + 2]!;
      }
    }
    left += panel.width * scale + GAP;
  }
  return pngFromBytes(out, width, height, 3);
}
