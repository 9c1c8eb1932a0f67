/**
 * Separable 2D correlation on a single-channel plane, the engine behind the
 * Gaussian blur and the Sobel filter.
 *
 * Borders are "reflect" in scipy.ndimage's sense (half-sample symmetric:
 * d c b a | a b c d | d c b a), so the edge pixel is repeated. That keeps a
 * constant image constant right up to the border and lets the tests compare
 * against scipy's default mode exactly.
 */
import { scratchBuffer } from './scratch';

/** Source index for every position of a line padded by `radius` on each side. */
export function reflectedIndices(length: number, radius: number): Int32Array {
  const period = 2 * length;
  const indices = new Int32Array(length + 2 * radius);
  for (let j = 0; j < indices.length; j++) {
    const m = (((j - radius) % period) + period) % period;
    indices[j] = m < length ? m : period - 1 - m;
  }
  return indices;
}

/** The row pass's output (see scratchBuffer). */
const acrossBuffer = scratchBuffer();

/**
 * One row, already padded with its reflection, correlated with `kernel` into
 * `out` at `to`. Four outputs advance together over a sliding window of
 * registers: each weight is loaded once for four sums, and each sum still
 * adds its taps in ascending order, so results equal the one-at-a-time loop's.
 */
function correlateRow(line: Float32Array, kernel: Float64Array, out: Float32Array, to: number, width: number): void {
  const taps = kernel.length;
  let x = 0;
  for (; x + 4 <= width; x += 4) {
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    let p0 = line[x]!,
      p1 = line[x + 1]!,
      p2 = line[x + 2]!;
    for (let k = 0; k < taps; k++) {
      const w = kernel[k]!;
      const p3 = line[x + k + 3]!;
      a0 += w * p0;
      a1 += w * p1;
      a2 += w * p2;
      a3 += w * p3;
      p0 = p1;
      p1 = p2;
      p2 = p3;
    }
    out[to + x] = a0;
    out[to + x + 1] = a1;
    out[to + x + 2] = a2;
    out[to + x + 3] = a3;
  }
  for (; x < width; x++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += kernel[k]! * line[x + k]!;
    out[to + x] = sum;
  }
}

/**
 * Output row `y` of the column pass. Eight neighbouring columns are summed in
 * registers (row-contiguous reads, no accumulator array to load and store),
 * each over its taps in ascending order.
 */
function correlateColumns(across: Float32Array, width: number, rows: Int32Array, kernel: Float64Array, out: Float32Array, y: number): void {
  const taps = kernel.length;
  const to = y * width;
  let x = 0;
  for (; x + 8 <= width; x += 8) {
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      a4 = 0,
      a5 = 0,
      a6 = 0,
      a7 = 0;
    for (let k = 0; k < taps; k++) {
      const w = kernel[k]!;
      const s = rows[y + k]! * width + x;
      a0 += w * across[s]!;
      a1 += w * across[s + 1]!;
      a2 += w * across[s + 2]!;
      a3 += w * across[s + 3]!;
      a4 += w * across[s + 4]!;
      a5 += w * across[s + 5]!;
      a6 += w * across[s + 6]!;
      a7 += w * across[s + 7]!;
    }
    out[to + x] = a0;
    out[to + x + 1] = a1;
    out[to + x + 2] = a2;
    out[to + x + 3] = a3;
    out[to + x + 4] = a4;
    out[to + x + 5] = a5;
    out[to + x + 6] = a6;
    out[to + x + 7] = a7;
  }
  for (; x < width; x++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += kernel[k]! * across[rows[y + k]! * width + x]!;
    out[to + x] = sum;
  }
}

/**
 * Correlates rows with `kernelX`, then columns with `kernelY` (odd lengths,
 * centred). The intermediate is float32, as scipy keeps it for float32 input;
 * sums are float64.
 */
export function correlateSeparable(src: Float32Array, width: number, height: number, kernelX: Float64Array, kernelY: Float64Array): Float32Array {
  const columns = reflectedIndices(width, (kernelX.length - 1) >> 1);
  const rows = reflectedIndices(height, (kernelY.length - 1) >> 1);

  const across = acrossBuffer(width * height);
  // Each row is copied out padded with its reflection, so no tap looks up the reflection table.
  const line = new Float32Array(columns.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let j = 0; j < columns.length; j++) line[j] = src[row + columns[j]!]!;
    correlateRow(line, kernelX, across, row, width);
  }

  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) correlateColumns(across, width, rows, kernelY, out, y);
  return out;
}
