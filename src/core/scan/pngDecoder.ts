import { crc32, inflateSync } from 'node:zlib';
import type { DecodeLimits } from './limits';
import { checkPixelLimit, rasterScan } from './rasterDecoder';
import type { Scan } from './scan';

/** Samples per pixel of the colour types read here: grey, RGB, grey + alpha, RGBA. */
const SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };
/** Chunks that may make libvips return other values than the stored ones (a colour profile) or more than one image (animation). */
const LEFT_TO_SHARP = new Set(['iCCP', 'acTL']);

interface Header {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
}

/** IHDR, if it is a plain 8 or 16-bit grey/RGB(A) image without interlacing. */
function plainHeader(buffer: Buffer): Header | undefined {
  if (buffer.length < 33 || buffer.toString('latin1', 12, 16) !== 'IHDR' || buffer.readUInt32BE(8) !== 13) return undefined;
  const header = { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20), bitDepth: buffer[24]!, colourType: buffer[25]! };
  const plain = (header.bitDepth === 8 || header.bitDepth === 16) && SAMPLES[header.colourType] !== undefined && buffer[28] === 0;
  return plain ? header : undefined;
}

/** The concatenated IDAT payload, or undefined for anything unexpected (bad CRC, truncation, a chunk left to sharp). */
function imageData(buffer: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  for (let at = 8; at + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > buffer.length || LEFT_TO_SHARP.has(type)) return undefined;
    if (type === 'IDAT' || type === 'IHDR') {
      if (crc32(buffer.subarray(at + 4, end - 4)) !== buffer.readUInt32BE(end - 4)) return undefined;
      if (type === 'IDAT') parts.push(buffer.subarray(at + 8, end - 4));
    }
    if (type === 'IEND') return parts.length > 0 ? Buffer.concat(parts) : undefined;
    at = end;
  }
  return undefined;
}

const paeth = (a: number, b: number, c: number): number => {
  const pa = Math.abs(b - c);
  const pb = Math.abs(a - c);
  const pc = Math.abs(a + b - 2 * c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/**
 * Undoes the per-row filters (PNG spec §9); undefined on an unknown filter
 * type. One loop per filter, with no per-byte tests: this is the decoder's
 * hot path. Rows are written after a row of zeros, which is what "the row
 * above" means for the first row, and the first pixel of each row, whose
 * left neighbours are zero, is done apart.
 */
function unfilter(rows: Buffer, stride: number, height: number, bpp: number): Uint8Array | undefined {
  const out = new Uint8Array(stride * (height + 1));
  const lead = Math.min(bpp, stride);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = (y + 1) * stride;
    const up = row - stride;
    switch (filter) {
      case 0:
        out.set(rows.subarray(src, src + stride), row);
        break;
      case 1:
        for (let x = 0; x < lead; x++) out[row + x] = rows[src + x]!;
        for (let x = lead; x < stride; x++) out[row + x] = rows[src + x]! + out[row + x - bpp]!;
        break;
      case 2:
        for (let x = 0; x < stride; x++) out[row + x] = rows[src + x]! + out[up + x]!;
        break;
      case 3:
        for (let x = 0; x < lead; x++) out[row + x] = rows[src + x]! + (out[up + x]! >> 1);
        for (let x = lead; x < stride; x++) out[row + x] = rows[src + x]! + ((out[row + x - bpp]! + out[up + x]!) >> 1);
        break;
      case 4:
        // paeth(0, b, 0) is b.
        for (let x = 0; x < lead; x++) out[row + x] = rows[src + x]! + out[up + x]!;
        for (let x = lead; x < stride; x++) out[row + x] = rows[src + x]! + paeth(out[row + x - bpp]!, out[up + x]!, out[up + x - bpp]!);
        break;
      default:
        return undefined;
    }
  }
  return out.subarray(stride);
}

/** Stored samples with alpha dropped; 16-bit samples are big-endian in the file. Bytes already in that form are used as they are. */
function samples(bytes: Uint8Array, pixels: number, stored: number, kept: number, sixteen: boolean): Uint8Array | Uint16Array {
  if (!sixteen && stored === kept) return bytes;
  const out = sixteen ? new Uint16Array(pixels * kept) : new Uint8Array(pixels * kept);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < kept; c++) {
      const s = p * stored + c;
      out[p * kept + c] = sixteen ? (bytes[2 * s]! << 8) | bytes[2 * s + 1]! : bytes[s]!;
    }
  }
  return out;
}

/**
 * The common PNG — 8 or 16-bit grey or RGB, alpha or not, not interlaced, no
 * colour profile — decoded here, to the same values sharp gives: on small
 * slices libvips' thread hand-off costs more than the decoding itself. Any
 * other PNG, or one that looks damaged in any way, returns undefined and goes
 * to sharp, whose error messages users then see. Inflation is capped at the
 * size the header implies, so a zlib bomb cannot take the thread's memory.
 */
export function decodePlainPng(buffer: Buffer, path: string, limits: DecodeLimits): Scan | undefined {
  const header = plainHeader(buffer);
  if (!header) return undefined;
  const { width, height, bitDepth, colourType } = header;
  checkPixelLimit(width, height, path, limits);
  const data = imageData(buffer);
  if (!data) return undefined;
  const stored = SAMPLES[colourType]!;
  const bpp = (stored * bitDepth) / 8;
  const stride = width * bpp;
  let rows: Buffer;
  try {
    rows = inflateSync(data, { maxOutputLength: (stride + 1) * height });
  } catch {
    return undefined;
  }
  if (rows.length !== (stride + 1) * height) return undefined;
  const bytes = unfilter(rows, stride, height, bpp);
  if (!bytes) return undefined;
  const colour = colourType === 2 || colourType === 6;
  const channels = colour ? 3 : 1;
  const sixteen = bitDepth === 16;
  return rasterScan({
    path,
    format: 'png',
    shape: [1, height, width],
    channels,
    depth: sixteen ? 'ushort' : 'uchar',
    voxels: samples(bytes, width * height, stored, channels, sixteen),
    colourSpace: colour ? (sixteen ? 'rgb16' : 'srgb') : sixteen ? 'grey16' : 'b-w',
  });
}
