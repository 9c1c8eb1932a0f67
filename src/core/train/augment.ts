/** The geometry of one model input. */
export interface InputGeometry {
  readonly layout: 'NCHW' | 'NHWC';
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** How far augmentation goes: flips, rotations and intensity changes a scan could plausibly show. */
export const AUGMENTATION = {
  /** Chance of a left-right mirror. */
  flip: 0.5,
  /** Rotation drawn uniformly in ±this many degrees. */
  degrees: 10,
  /** Intensity gain drawn uniformly in 1 ± this. */
  gain: 0.1,
  /** Intensity offset drawn uniformly in ± this many of the image's standard deviations. */
  offset: 0.1,
} as const;

/**
 * A seeded, randomly transformed copy of a preprocessed input (how far:
 * AUGMENTATION): mirrored left-right, rotated about its centre (bilinear,
 * the border value repeated outside), then every value scaled by a gain
 * near 1 and shifted by a small fraction of the image's standard
 * deviation. `next` draws uniform numbers in [0, 1); the same draws give the
 * same copy.
 */
export function augment(data: Float32Array, geometry: InputGeometry, next: () => number): Float32Array {
  const { layout, channels, height, width } = geometry;
  const flip = next() < AUGMENTATION.flip;
  const angle = ((2 * next() - 1) * AUGMENTATION.degrees * Math.PI) / 180;
  const gain = 1 + (2 * next() - 1) * AUGMENTATION.gain;
  const offsetDraw = (2 * next() - 1) * AUGMENTATION.offset;
  let mean = 0;
  for (const v of data) mean += v / data.length;
  let variance = 0;
  for (const v of data) variance += (v - mean) ** 2 / data.length;
  const offset = offsetDraw * Math.sqrt(variance);
  const at = (c: number, y: number, x: number): number => (layout === 'NCHW' ? (c * height + y) * width + x : (y * width + x) * channels + c);
  const clampY = (y: number): number => Math.min(height - 1, Math.max(0, y));
  const clampX = (x: number): number => Math.min(width - 1, Math.max(0, x));
  const [cy, cx] = [(height - 1) / 2, (width - 1) / 2];
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Where this output pixel comes from: undo the rotation, then the mirror.
      const dy = y - cy;
      const dx = x - cx;
      const sy = cy + cos * dy - sin * dx;
      let sx = cx + sin * dy + cos * dx;
      if (flip) sx = width - 1 - sx;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      const [ya, yb, xa, xb] = [clampY(y0), clampY(y0 + 1), clampX(x0), clampX(x0 + 1)];
      for (let c = 0; c < channels; c++) {
        const top = data[at(c, ya, xa)]! * (1 - fx) + data[at(c, ya, xb)]! * fx;
        const bottom = data[at(c, yb, xa)]! * (1 - fx) + data[at(c, yb, xb)]! * fx;
        out[at(c, y, x)] = (top * (1 - fy) + bottom * fy) * gain + offset;
      }
    }
  }
  return out;
}
