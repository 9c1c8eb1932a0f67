import { readFileSync } from 'node:fs';
import type { Image2D } from '../../../src/core/image';
import type { BinaryMask } from '../../../src/core/preprocess/mask';
import { fixture } from '../../helpers/paths';

/**
 * test/fixtures/preprocess-reference.json, written by
 * scripts/reference/preprocess_reference.py from scipy, scikit-image and
 * OpenCV. Pixel arrays are base64 of raw uint8 or little-endian float32.
 */

interface Reference {
  images: Record<string, { width: number; height: number; u8: string }>;
  masks: Record<string, string[]>;
  gaussian: { image: string; sigma: number; output: string }[];
  sobel: { image: string; output: string }[];
  otsu: { image: string; threshold: number }[];
  percentile: { image: string; p: number; value: number }[];
  morphology: { mask: string; op: 'erode' | 'dilate' | 'open' | 'close'; radius: number; output: string[] }[];
  fillHoles: { mask: string; output: string[] }[];
  label: { mask: string; connectivity: 4 | 8; count: number; sizes: number[]; largest: string[] }[];
  clahe: { image: string; clipLimit: number; tilesX: number; tilesY: number; output: string }[];
  bilateral: { image: string; sigmaSpatial: number; sigmaRange: number; output: string }[];
}

export const reference = JSON.parse(readFileSync(fixture('preprocess-reference.json'), 'utf8')) as Reference;

export function decodeU8(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

export function decodeF32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(4 * i);
  return out;
}

/** The named input as the Python side saw it: float32(u8 / 255). */
export function referenceImage(name: string): Image2D {
  const entry = reference.images[name];
  if (!entry) throw new Error(`no reference image ${name}`);
  const data = Float32Array.from(decodeU8(entry.u8), (v) => v / 255);
  return { width: entry.width, height: entry.height, channels: 1, data };
}

export function maskFromRows(rows: readonly string[]): BinaryMask {
  const width = rows[0]?.length ?? 0;
  const data = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) data[y * width + x] = row[x] === '1' ? 1 : 0;
  });
  return { width, height: rows.length, data };
}

export function rowsFromMask(mask: BinaryMask): string[] {
  const rows: string[] = [];
  for (let y = 0; y < mask.height; y++) rows.push(Array.from(mask.data.subarray(y * mask.width, (y + 1) * mask.width)).join(''));
  return rows;
}

export function referenceMask(name: string): BinaryMask {
  const rows = reference.masks[name];
  if (!rows) throw new Error(`no reference mask ${name}`);
  return maskFromRows(rows);
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
