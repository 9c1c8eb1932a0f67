/**
 * Small dense linear algebra for per-position Gaussians. A symmetric d×d
 * matrix's lower triangle is packed row by row: (i, j ≤ i) at i(i+1)/2 + j.
 */

export const packedLength = (d: number): number => (d * (d + 1)) / 2;

/** Cholesky factor L (packed, lower) of a packed symmetric positive-definite matrix: A = L·Lᵀ. */
export function choleskyPacked(a: ArrayLike<number>, d: number): Float64Array {
  const l = new Float64Array(packedLength(d));
  for (let i = 0; i < d; i++) {
    const rowI = (i * (i + 1)) / 2;
    for (let j = 0; j <= i; j++) {
      const rowJ = (j * (j + 1)) / 2;
      let sum = a[rowI + j]!;
      for (let k = 0; k < j; k++) sum -= l[rowI + k]! * l[rowJ + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${sum})`);
        l[rowI + i] = Math.sqrt(sum);
      } else {
        l[rowI + j] = sum / l[rowJ + j]!;
      }
    }
  }
  return l;
}

/**
 * (x − μ)ᵀ Σ⁻¹ (x − μ) given Σ's packed Cholesky factor: solve L·y = x − μ by
 * forward substitution, then |y|². No inverse is formed, which is both
 * cheaper and better conditioned.
 */
export function mahalanobisSquared(
  x: ArrayLike<number>,
  xOffset: number,
  mean: ArrayLike<number>,
  meanOffset: number,
  l: ArrayLike<number>,
  lOffset: number,
  d: number,
  scratch: Float64Array,
): number {
  let sum = 0;
  for (let i = 0; i < d; i++) {
    const row = lOffset + (i * (i + 1)) / 2;
    let v = x[xOffset + i]! - mean[meanOffset + i]!;
    for (let k = 0; k < i; k++) v -= l[row + k]! * scratch[k]!;
    v /= l[row + i]!;
    scratch[i] = v;
    sum += v * v;
  }
  return sum;
}
