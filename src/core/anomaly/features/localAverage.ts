/**
 * PatchCore's locally aware patch features (Roth et al., 2022, eq. 2): each
 * position's value averaged over its p×p neighbourhood, stride 1, as
 * torch.nn.AvgPool2d(p, 1, p // 2) does in anomalib's PatchCore — zero padding
 * counted in the divisor, so the output keeps the map's size. p is odd.
 */
export function localAverage(plane: Float32Array, width: number, height: number, p: number): Float32Array {
  const r = (p - 1) / 2;
  const out = new Float32Array(width * height);
  // Separable: a box sum along rows, then along columns, then one division.
  const rows = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dx = Math.max(0, x - r); dx <= Math.min(width - 1, x + r); dx++) sum += plane[y * width + dx]!;
      rows[y * width + x] = sum;
    }
  }
  const area = p * p;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = Math.max(0, y - r); dy <= Math.min(height - 1, y + r); dy++) sum += rows[dy * width + x]!;
      out[y * width + x] = sum / area;
    }
  }
  return out;
}
