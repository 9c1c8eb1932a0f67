/**
 * Separable 2D correlation on a single-channel plane, the engine behind the
 * Gaussian blur and the Sobel filter.
 *
 * Borders are "reflect" in scipy.ndimage's sense (half-sample symmetric:
 * d c b a | a b c d | d c b a), so the edge pixel is repeated. That keeps a
 * constant image constant right up to the border and lets the tests compare
 * against scipy's default mode exactly.
 */

/** Source index for every position of a line padded by `radius` on each side. */
export function reflectedIndices(length: number, radius: number): Int32Array {
  const period = 2 * length;
  const indices = new Int32Array(length + 2 * radius);
  for (let j = 0; j < indices.length; j++) {
    const m = ((((j - radius) % period) + period) % period);
    indices[j] = m < length ? m : period - 1 - m;
  }
  return indices;
}

/**
 * Correlates rows with `kernelX`, then columns with `kernelY` (odd lengths,
 * centred). The intermediate is float32, as scipy keeps it for float32 input.
 */
export function correlateSeparable(
  src: Float32Array,
  width: number,
  height: number,
  kernelX: Float64Array,
  kernelY: Float64Array,
): Float32Array {
  const rx = (kernelX.length - 1) >> 1;
  const ry = (kernelY.length - 1) >> 1;
  const columns = reflectedIndices(width, rx);
  const rows = reflectedIndices(height, ry);

  const across = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < kernelX.length; k++) sum += kernelX[k]! * src[row + columns[x + k]!]!;
      across[row + x] = sum;
    }
  }

  // Column pass row by row with a whole-row accumulator, so memory is read in order.
  const out = new Float32Array(width * height);
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let k = 0; k < kernelY.length; k++) {
      const weight = kernelY[k]!;
      const source = rows[y + k]! * width;
      for (let x = 0; x < width; x++) acc[x]! += weight * across[source + x]!;
    }
    out.set(acc, y * width);
  }
  return out;
}
