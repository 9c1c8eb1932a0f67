/** Colormaps for heat maps: value in [0,1] → RGB in [0,1]. */
import type { Image2D } from '../image';
import { COLORMAPS, type ColormapName } from '../vocabulary/colormaps';

export { COLORMAPS, type ColormapName };

type Rgb = [number, number, number];

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

function hex(code: string): Rgb {
  const n = parseInt(code.slice(1), 16);
  return [(n >> 16) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

/** Piecewise-linear between evenly spaced anchors (matplotlib's 9-step samples). */
function anchored(codes: readonly string[]): (v: number) => Rgb {
  const anchors = codes.map(hex);
  return (v) => {
    const t = clamp01(v) * (anchors.length - 1);
    const i = Math.min(anchors.length - 2, Math.floor(t));
    const f = t - i;
    const [a, b] = [anchors[i]!, anchors[i + 1]!];
    return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
  };
}

const poly = (x: number, c: readonly number[]): number => c.reduceRight((acc, k) => acc * x + k, 0);

const MAPS: Record<ColormapName, (v: number) => Rgb> = {
  jet: (v) => {
    const x = clamp01(v);
    return [clamp01(1.5 - Math.abs(4 * x - 3)), clamp01(1.5 - Math.abs(4 * x - 2)), clamp01(1.5 - Math.abs(4 * x - 1))];
  },
  // Google's polynomial fit of Turbo (Mikhailov, 2019).
  turbo: (v) => {
    const x = clamp01(v);
    return [
      clamp01(poly(x, [0.13572138, 4.6153926, -42.66032258, 132.13108234, -152.94239396, 59.28637943])),
      clamp01(poly(x, [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604])),
      clamp01(poly(x, [0.1066733, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973])),
    ];
  },
  inferno: anchored(['#000004', '#1f0c48', '#550f6d', '#88226a', '#ba3655', '#e35933', '#f98e09', '#f9cb35', '#fcffa4']),
  viridis: anchored(['#440154', '#472d7b', '#3b528b', '#2c728e', '#21918c', '#28ae80', '#5ec962', '#addc30', '#fde725']),
};

export function colormap(name: ColormapName): (v: number) => Rgb {
  return MAPS[name];
}

const STEPS = 1024;
const tables = new Map<ColormapName, Float32Array>();

/**
 * The colormap sampled at STEPS + 1 evenly spaced points. Every kink of jet,
 * inferno and viridis falls on one of them (multiples of 1/8), so linear
 * interpolation between samples reproduces those maps exactly, and Turbo's
 * clamped polynomial to within half an 8-bit level.
 */
function table(name: ColormapName): Float32Array {
  let samples = tables.get(name);
  if (!samples) {
    const toColour = MAPS[name];
    samples = new Float32Array((STEPS + 1) * 3);
    for (let i = 0; i <= STEPS; i++) samples.set(toColour(i / STEPS), i * 3);
    tables.set(name, samples);
  }
  return samples;
}

/** Where value v falls in the table once `range` is stretched to [0,1]: clamped, NaN at the bottom. */
const position = (v: number, lo: number, scale: number): number => Math.min(1, Math.max(0, (v - lo) * scale || 0)) * STEPS;
const stretch = (range: { lo: number; hi: number }): number => (range.hi > range.lo ? 1 / (range.hi - range.lo) : 0);

/**
 * Colours a heat map: RGB triplets from the sampled table rather than
 * per-pixel evaluation, since maps cover whole scans. Values are taken in
 * [0,1], or stretched from `range` to it first (clamped; NaN as 0).
 */
export function colourise(name: ColormapName, heat: Float32Array, range: { lo: number; hi: number } = { lo: 0, hi: 1 }): Float32Array {
  const samples = table(name);
  const scale = stretch(range);
  const out = new Float32Array(heat.length * 3);
  for (let i = 0; i < heat.length; i++) {
    const t = position(heat[i]!, range.lo, scale);
    const j = Math.min(STEPS - 1, Math.floor(t));
    const f = t - j;
    for (let c = 0; c < 3; c++) {
      const a = samples[j * 3 + c]!;
      out[i * 3 + c] = a + (samples[j * 3 + 3 + c]! - a) * f;
    }
  }
  return out;
}

/**
 * Writes (1 − alpha)·base + alpha·colour(heat) for every pixel of a grey or
 * RGB base into `out` (RGB), times `outScale`: 1 for float images, 255
 * straight into a clamped byte array on the way to a PNG. The colour is
 * colourise's, to the bit, taken in the same pass with no colour image in
 * between (overlays are drawn over whole scans). Where heat is NaN (a pixel
 * the model did not see) the base is left as it is.
 */
export function blendHeat(name: ColormapName, base: Image2D, heat: Float32Array, range: { lo: number; hi: number }, alpha: number, out: Float32Array | Uint8ClampedArray, outScale: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha must be between 0 and 1, got ${alpha}`);
  const samples = table(name);
  const scale = stretch(range);
  const { data, channels } = base;
  const n = base.width * base.height;
  for (let i = 0; i < n; i++) {
    const v = heat[i]!;
    const grey = data[i * channels]!;
    if (Number.isNaN(v)) {
      // Alpha 0: (1 − 0)·base + 0·colour, which is the base (plus +0).
      for (let c = 0; c < 3; c++) out[i * 3 + c] = ((channels === 1 ? grey : data[i * channels + c]!) + 0) * outScale;
      continue;
    }
    const t = position(v, range.lo, scale);
    const j = Math.min(STEPS - 1, Math.floor(t)) * 3;
    const f = t - j / 3;
    for (let c = 0; c < 3; c++) {
      const lo = samples[j + c]!;
      const colour = Math.fround(lo + (samples[j + 3 + c]! - lo) * f);
      out[i * 3 + c] = ((1 - alpha) * (channels === 1 ? grey : data[i * channels + c]!) + alpha * colour) * outScale;
    }
  }
}
