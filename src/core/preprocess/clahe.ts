import type { Image2D } from '../image';
import { checkParam, requireGrey } from './validate';

/**
 * Contrast-limited adaptive histogram equalisation with OpenCV's semantics
 * (cv::createCLAHE(clipLimit, tileGridSize).apply on an 8-bit image), so
 * parameters tuned in OpenCV carry over:
 * - values are quantised to 256 bins as an 8-bit image would be;
 * - each tile's histogram is clipped at clipLimit × (tile pixels / 256) (at
 *   least 1), and the excess is spread evenly over all bins with the
 *   remainder going to every (256 / remainder)-th bin from the first;
 * - each tile's mapping is its cumulative histogram;
 * - every pixel blends the mappings of the four nearest tile centres
 *   bilinearly (the nearest one alone along the image edge).
 * When the grid does not divide the image, the histograms are taken from the
 * image padded on the bottom/right by mirroring (BORDER_REFLECT_101), as
 * OpenCV does. Unlike OpenCV the mappings are kept in float, so the output is
 * not re-quantised to 8 bits.
 */

export type ClaheOptions = {
  /** Histogram clip height relative to a uniform histogram; 0 disables clipping (plain AHE). */
  readonly clipLimit: number;
  /** Tiles across. */
  readonly tilesX: number;
  /** Tiles down. */
  readonly tilesY: number;
};

/** The usual CLAHE choice for MR/CT: an 8×8 grid, clip 2 (OpenCV's own default clip of 40 is far stronger). */
export const CLAHE_DEFAULTS: ClaheOptions = { clipLimit: 2, tilesX: 8, tilesY: 8 };

const BINS = 256;

export function clahe(image: Image2D, options: Partial<ClaheOptions> = {}): Image2D {
  const { clipLimit, tilesX, tilesY } = { ...CLAHE_DEFAULTS, ...options };
  requireGrey(image, 'clahe');
  checkParam('clahe', 'clipLimit', clipLimit, { min: 0 });
  checkParam('clahe', 'tilesX', tilesX, { integer: true, min: 1, max: 256 });
  checkParam('clahe', 'tilesY', tilesY, { integer: true, min: 1, max: 256 });

  const { width, height } = image;
  const levels = new Uint8Array(width * height);
  for (let i = 0; i < levels.length; i++) {
    levels[i] = Math.round(Math.min(1, Math.max(0, image.data[i]!)) * (BINS - 1));
  }

  // OpenCV pads both axes whenever either needs it, even by a whole tile.
  const divides = width % tilesX === 0 && height % tilesY === 0;
  const tileWidth = divides ? width / tilesX : (width + tilesX - (width % tilesX)) / tilesX;
  const tileHeight = divides ? height / tilesY : (height + tilesY - (height % tilesY)) / tilesY;
  const luts = tileMappings(levels, width, height, tilesX, tilesY, tileWidth, tileHeight, clipLimit);

  // Per column: the two tiles to blend and the weight of the right one.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const rightWeight = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const tx = x / tileWidth - 0.5;
    const t1 = Math.floor(tx);
    rightWeight[x] = tx - t1;
    left[x] = Math.max(t1, 0) * BINS;
    right[x] = Math.min(t1 + 1, tilesX - 1) * BINS;
  }

  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const ty = y / tileHeight - 0.5;
    const t1 = Math.floor(ty);
    const lowerWeight = ty - t1;
    const upper = Math.max(t1, 0) * tilesX * BINS;
    const lower = Math.min(t1 + 1, tilesY - 1) * tilesX * BINS;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const level = levels[i]!;
      const xw = rightWeight[x]!;
      const l = left[x]! + level;
      const r = right[x]! + level;
      const top = luts[upper + l]! * (1 - xw) + luts[upper + r]! * xw;
      const bottom = luts[lower + l]! * (1 - xw) + luts[lower + r]! * xw;
      out[i] = top * (1 - lowerWeight) + bottom * lowerWeight;
    }
  }
  return { width, height, channels: 1, data: out };
}

/** The clipped, cumulative mapping of every tile, as [tileY][tileX][level] → [0,1]. */
function tileMappings(levels: Uint8Array, width: number, height: number, tilesX: number, tilesY: number, tileWidth: number, tileHeight: number, clipLimit: number): Float32Array {
  const columns = mirroredIndices(width, tilesX * tileWidth);
  const rows = mirroredIndices(height, tilesY * tileHeight);
  const tilePixels = tileWidth * tileHeight;
  const clip = clipLimit > 0 ? Math.max(1, Math.floor((clipLimit * tilePixels) / BINS)) : 0;

  const luts = new Float32Array(tilesX * tilesY * BINS);
  const hist = new Int32Array(BINS);
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      hist.fill(0);
      for (let y = ty * tileHeight; y < (ty + 1) * tileHeight; y++) {
        const row = rows[y]! * width;
        for (let x = tx * tileWidth; x < (tx + 1) * tileWidth; x++) hist[levels[row + columns[x]!]!]! += 1;
      }
      if (clip > 0) clipHistogram(hist, clip);
      const base = (ty * tilesX + tx) * BINS;
      let sum = 0;
      for (let b = 0; b < BINS; b++) {
        sum += hist[b]!;
        luts[base + b] = sum / tilePixels;
      }
    }
  }
  return luts;
}

/** Caps every bin at `clip` and hands the excess back out the way OpenCV does. */
function clipHistogram(hist: Int32Array, clip: number): void {
  let excess = 0;
  for (let b = 0; b < BINS; b++) {
    if (hist[b]! > clip) {
      excess += hist[b]! - clip;
      hist[b] = clip;
    }
  }
  const batch = Math.floor(excess / BINS);
  let residual = excess - batch * BINS;
  for (let b = 0; b < BINS; b++) hist[b]! += batch;
  const step = residual > 0 ? Math.max(Math.floor(BINS / residual), 1) : BINS;
  for (let b = 0; b < BINS && residual > 0; b += step, residual--) hist[b]! += 1;
}

/** Source index for positions 0..extent−1 of a line of `length`, mirrored past its end without repeating the edge (reflect-101). */
function mirroredIndices(length: number, extent: number): Int32Array {
  const indices = new Int32Array(extent);
  if (length === 1) return indices;
  const period = 2 * (length - 1);
  for (let i = 0; i < extent; i++) {
    const m = i % period;
    indices[i] = m < length ? m : period - m;
  }
  return indices;
}
