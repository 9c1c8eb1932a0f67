import type { DisplayWindow, VoxelArray } from './scan';

const f32 = Math.fround;
// ITU-T T.871 inverse of the PS3.3 C.7.6.3.1.2 YBR_FULL equations, with pydicom's float32 coefficients.
const CB_TO_G = f32((-0.114 * 1.772) / 0.587);
const CR_TO_G = f32((-0.299 * 1.402) / 0.587);
const CB_TO_B = f32(1.772);
const CR_TO_R = f32(1.402);

function toByte(value: number): number {
  const rounded = Math.floor(f32(value + 0.5));
  return rounded < 0 ? 0 : rounded > 255 ? 255 : rounded;
}

/**
 * 8-bit YBR_FULL (also YBR_FULL_422 once expanded to three samples per
 * pixel) to RGB, in place, rounding half up and clipping to 0..255.
 * Each sum is a float32 fused multiply-add taken in Y, Cb, Cr order (exact
 * in doubles, rounded once), which is how pydicom's float32 matmul in
 * convert_color_space comes out: checked over all 2^24 inputs, where
 * rounding the products separately differs in 42.
 */
export function ybrFullToRgb(samples: Uint8Array): void {
  for (let i = 0; i + 2 < samples.length; i += 3) {
    const y = samples[i]!;
    const cb = samples[i + 1]! - 128;
    const cr = samples[i + 2]! - 128;
    samples[i] = toByte(f32(y + cr * CR_TO_R));
    samples[i + 1] = toByte(f32(f32(y + cb * CB_TO_G) + cr * CR_TO_G));
    samples[i + 2] = toByte(f32(y + cb * CB_TO_B));
  }
}

/**
 * MONOCHROME1 (white is low) as MONOCHROME2 would store it, in place: each
 * value v becomes min + max − v within the range the samples can take, so
 * brightness means what it means in every other scan. Values outside that
 * range (stray high bits) are clipped to it first rather than wrapping.
 */
export function invertMonochrome1(voxels: VoxelArray, range: { readonly min: number; readonly max: number }): void {
  const sum = range.min + range.max;
  for (let i = 0; i < voxels.length; i++) {
    const v = voxels[i]!;
    voxels[i] = sum - (v < range.min ? range.min : v > range.max ? range.max : v);
  }
}

/** A VOI window for MONOCHROME1 values, moved onto the inverted values so it shows the same picture. */
export function invertWindow(window: DisplayWindow, range: { readonly min: number; readonly max: number }): DisplayWindow {
  return { ...window, center: range.min + range.max - window.center };
}
