import { gaussianBlur } from '../preprocess/gaussian';
import { resizeImage } from '../preprocess/resize';

/**
 * Bilinear upsampling followed by the Gaussian blur, as one linear operator
 * per axis: both steps are separable and linear, so the map is
 * Mᵧ · grid · Mₓᵀ with Mᵧ (height × grid rows) and Mₓ (width × grid columns)
 * the two steps applied to each unit vector of the grid: far fewer
 * multiply-adds than blurring the full map when the grid is coarse.
 */
interface AxisOperator {
  /** out × grid, row-major. */
  readonly weights: Float64Array;
  readonly out: number;
  readonly grid: number;
}

/** Each unit vector of a grid line through the resize and the blur (a one-pixel-wide image: the blur across it is the identity). */
function axisOperator(grid: number, out: number, sigma: number, vertical: boolean): AxisOperator {
  const weights = new Float64Array(out * grid);
  for (let j = 0; j < grid; j++) {
    const unit = new Float32Array(grid);
    unit[j] = 1;
    const line = vertical ? { width: 1, height: grid, channels: 1, data: unit } : { width: grid, height: 1, channels: 1, data: unit };
    let spread = resizeImage(line, vertical ? { width: 1, height: out } : { width: out, height: 1 }, 'linear', 'fill');
    if (sigma > 0) spread = gaussianBlur(spread, sigma);
    for (let i = 0; i < out; i++) weights[i * grid + j] = spread.data[i]!;
  }
  return { weights, out, grid };
}

const cache = new Map<string, { rows: AxisOperator; columns: AxisOperator }>();

function operators(grid: { width: number; height: number }, size: { width: number; height: number }, sigma: number): { rows: AxisOperator; columns: AxisOperator } {
  const key = `${grid.width}x${grid.height}>${size.width}x${size.height}@${sigma}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = { rows: axisOperator(grid.height, size.height, sigma, true), columns: axisOperator(grid.width, size.width, sigma, false) };
    cache.set(key, entry);
  }
  return entry;
}

/** The grid's values upsampled bilinearly to `size` and blurred with a Gaussian of `sigma` pixels (0: none), as one product. */
export function upsampleAndBlur(values: Float32Array, grid: { width: number; height: number }, size: { width: number; height: number }, sigma: number): Float32Array {
  const { rows, columns } = operators(grid, size, sigma);
  // across[i][x] = Σ_j values[i][j] · Mₓ[x][j]
  const across = new Float64Array(grid.height * size.width);
  for (let i = 0; i < grid.height; i++) {
    for (let x = 0; x < size.width; x++) {
      let sum = 0;
      for (let j = 0; j < grid.width; j++) sum += values[i * grid.width + j]! * columns.weights[x * grid.width + j]!;
      across[i * size.width + x] = sum;
    }
  }
  const out = new Float32Array(size.width * size.height);
  const row = new Float64Array(size.width);
  for (let y = 0; y < size.height; y++) {
    row.fill(0);
    for (let i = 0; i < grid.height; i++) {
      const w = rows.weights[y * grid.height + i]!;
      if (w === 0) continue;
      const from = i * size.width;
      for (let x = 0; x < size.width; x++) row[x]! += w * across[from + x]!;
    }
    out.set(row, y * size.width);
  }
  return out;
}
