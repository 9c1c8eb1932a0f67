import type { Image2D } from '../image';
import type { ResizeKernel } from '../model/manifest';
import { scratchBuffer } from './scratch';

export type Fit = 'fill' | 'contain' | 'cover';

interface Filter {
  readonly support: number;
  readonly weight: (x: number) => number;
}

const sinc = (x: number): number => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
const lanczos = (a: number): Filter => ({ support: a, weight: (x) => (Math.abs(x) < a ? sinc(x) * sinc(x / a) : 0) });

/** Keys' cubic family: B=0, C=0.5 is Catmull-Rom; B=C=1/3 is Mitchell-Netravali. */
function bcSpline(b: number, c: number): Filter {
  return {
    support: 2,
    weight: (t) => {
      const x = Math.abs(t);
      if (x < 1) return ((12 - 9 * b - 6 * c) * x ** 3 + (-18 + 12 * b + 6 * c) * x ** 2 + (6 - 2 * b)) / 6;
      if (x < 2) return ((-b - 6 * c) * x ** 3 + (6 * b + 30 * c) * x ** 2 + (-12 * b - 48 * c) * x + (8 * b + 24 * c)) / 6;
      return 0;
    },
  };
}

const FILTERS: Record<Exclude<ResizeKernel, 'nearest'>, Filter> = {
  linear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  cubic: bcSpline(0, 0.5),
  mitchell: bcSpline(1 / 3, 1 / 3),
  lanczos2: lanczos(2),
  lanczos3: lanczos(3),
};

interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Float64Array;
  readonly stride: number;
}

/**
 * Per-output-sample source taps and normalised weights along one axis, with
 * pixel centres aligned and the kernel widened when shrinking (antialiasing),
 * the convention of PIL and of PyTorch's antialiased interpolate.
 */
function taps(inSize: number, outSize: number, kernel: ResizeKernel): Taps {
  const scale = inSize / outSize;
  if (kernel === 'nearest') {
    const start = Int32Array.from({ length: outSize }, (_, i) => Math.min(inSize - 1, Math.floor((i + 0.5) * scale)));
    return { start, count: new Int32Array(outSize).fill(1), weights: new Float64Array(outSize).fill(1), stride: 1 };
  }
  const filter = FILTERS[kernel];
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(center + support + 0.5));
    let sum = 0;
    for (let x = lo; x < hi; x++) {
      const w = filter.weight((x - center + 0.5) / filterScale);
      weights[i * stride + x - lo] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = lo; x < hi; x++) weights[i * stride + x - lo]! /= sum;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, stride };
}

const tapCache = new Map<string, Taps>();
/** The row pass's output (see scratchBuffer). */
const midBuffer = scratchBuffer();

/** Taps depend only on the sizes and the kernel, and every input of a folder asks for the same ones; a few are kept. */
function cachedTaps(inSize: number, outSize: number, kernel: ResizeKernel): Taps {
  const key = `${inSize}:${outSize}:${kernel}`;
  let found = tapCache.get(key);
  if (!found) {
    if (tapCache.size >= 16) tapCache.clear();
    found = taps(inSize, outSize, kernel);
    tapCache.set(key, found);
  }
  return found;
}

/**
 * Separable resampling: rows first, then columns, in float64 accumulators.
 * Each output sums its taps in ascending order, so results do not depend on
 * the loop arrangement; the loops are arranged for speed (this runs on every
 * model input): the column pass walks whole rows, which the interleaved
 * channels let it treat as one flat line.
 */
function resample(image: Image2D, width: number, height: number, kernel: ResizeKernel): Image2D {
  const { channels, data } = image;
  const h = cachedTaps(image.width, width, kernel);
  const v = cachedTaps(image.height, height, kernel);
  const mid = midBuffer(width * image.height * channels);
  const { start, count, weights, stride } = h;
  for (let y = 0; y < image.height; y++) {
    const rowIn = y * image.width * channels;
    const rowOut = y * width * channels;
    if (channels === 1) {
      for (let x = 0; x < width; x++) {
        const first = rowIn + start[x]!;
        const w0 = x * stride;
        if (count[x] === 2) {
          mid[rowOut + x] = weights[w0]! * data[first]! + weights[w0 + 1]! * data[first + 1]!;
          continue;
        }
        let acc = 0;
        for (let k = 0; k < count[x]!; k++) acc += weights[w0 + k]! * data[first + k]!;
        mid[rowOut + x] = acc;
      }
      continue;
    }
    for (let x = 0; x < width; x++) {
      const first = rowIn + start[x]! * channels;
      const w0 = x * stride;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < count[x]!; k++) acc += weights[w0 + k]! * data[first + k * channels + c]!;
        mid[rowOut + x * channels + c] = acc;
      }
    }
  }
  const line = width * channels;
  const out = new Float32Array(line * height);
  const acc = new Float64Array(line);
  for (let y = 0; y < height; y++) {
    const first = v.start[y]!;
    const to = y * line;
    if (v.count[y] === 2) {
      // Two taps, the usual case when enlarging bilinearly: summed straight into the output, in the same order.
      const [w0, w1] = [v.weights[y * v.stride]!, v.weights[y * v.stride + 1]!];
      const [r0, r1] = [first * line, (first + 1) * line];
      for (let i = 0; i < line; i++) out[to + i] = w0 * mid[r0 + i]! + w1 * mid[r1 + i]!;
      continue;
    }
    acc.fill(0);
    for (let k = 0; k < v.count[y]!; k++) {
      const w = v.weights[y * v.stride + k]!;
      const row = (first + k) * line;
      for (let i = 0; i < line; i++) acc[i]! += w * mid[row + i]!;
    }
    out.set(acc, to);
  }
  return { width, height, channels, data: out };
}

/** Copies `inner` into a zero canvas (contain) or crops it (cover), with its top-left corner at (dx, dy), which is negative when cropping. */
function placeAt(inner: Image2D, width: number, height: number, dx: number, dy: number): Image2D {
  const { channels } = inner;
  const out = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= inner.height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      if (sx < 0 || sx >= inner.width) continue;
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = inner.data[(sy * inner.width + sx) * channels + c]!;
    }
  }
  return { width, height, channels, data: out };
}

/** Where a contain or cover fit puts the image in the model's input: the scaled image's size and its centred top-left corner. */
export interface Placement {
  readonly width: number;
  readonly height: number;
  readonly dx: number;
  readonly dy: number;
}

/** The one rounding of contain and cover, shared by resizing and by mapping model-input maps back onto the slice. */
export function placement(image: { width: number; height: number }, size: { width: number; height: number }, fit: Exclude<Fit, 'fill'>): Placement {
  const pick = fit === 'contain' ? Math.min : Math.max;
  const scale = pick(size.width / image.width, size.height / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  return { width, height, dx: Math.floor((size.width - width) / 2), dy: Math.floor((size.height - height) / 2) };
}

/**
 * Resizes a float image with a named kernel, in float so no precision is lost
 * to 8-bit rounding. Same size is a no-op, so images already at the model's
 * size reach it untouched.
 */
export function resizeImage(image: Image2D, size: { width: number; height: number }, kernel: ResizeKernel, fit: Fit): Image2D {
  if (image.width === size.width && image.height === size.height) return image;
  if (fit === 'fill') return resample(image, size.width, size.height, kernel);
  const placed = placement(image, size, fit);
  return placeAt(resample(image, placed.width, placed.height, kernel), size.width, size.height, placed.dx, placed.dy);
}
