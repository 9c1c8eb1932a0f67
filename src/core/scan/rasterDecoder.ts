import type { Metadata } from 'sharp';
import { ScanLensError } from '../errors';
import { sharp } from '../native/sharp';
import type { DecodeLimits } from './limits';
import type { Scan, ScanFormat, VoxelArray } from './scan';

export type Depth = 'uchar' | 'ushort' | 'short' | 'float';

const BITS: Record<Depth, number> = { uchar: 8, ushort: 16, short: 16, float: 32 };

/** Reads the header only: size, depth and pages, without decoding pixels. */
async function readHeader(buffer: Buffer, path: string): Promise<Metadata> {
  try {
    return await sharp()(buffer, { limitInputPixels: false, pages: -1 }).metadata();
  } catch (error) {
    throw new ScanLensError(`cannot read image header (${firstLine(error)})`, path);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

/** Refuses images over the pixel limit from their header, before any pixel is decoded. */
export function checkPixelLimit(width: number, height: number, path: string, limits: DecodeLimits): void {
  if (width <= 0 || height <= 0) throw new ScanLensError('image has no pixels', path);
  if (width * height > limits.maxPixels) {
    throw new ScanLensError(`image is ${width}×${height} pixels, over the limit of ${limits.maxPixels} pixels (raise it with the pixel limit setting if this is intended)`, path);
  }
}

/**
 * Refuses images whose decoded size, from the header, is over the limits: each
 * page against the pixel limit, and a multi-page image's pages × width ×
 * height × channels against the voxel and decoded-byte limits of a volume (a
 * 70 KB TIFF can declare 40 pages of the largest allowed size).
 */
function checkSize(meta: Metadata, path: string, limits: DecodeLimits, depth: Depth, channels: number): { width: number; height: number; pages: number } {
  const width = meta.width ?? 0;
  const pages = Math.max(1, meta.pages ?? 1);
  const height = meta.pageHeight ?? (meta.height ?? 0) / pages;
  checkPixelLimit(width, height, path, limits);
  const samples = pages * width * height * channels;
  const bytes = (samples * BITS[depth]) / 8;
  if (pages > 1 && (samples > limits.maxVoxels || bytes > limits.maxDecodedBytes)) {
    throw new ScanLensError(
      `image has ${pages} pages of ${width}×${height}×${channels} samples (${samples} ${depth} samples, ${bytes} bytes decoded), over the limits of ${limits.maxVoxels} samples and ${limits.maxDecodedBytes} bytes for one volume`,
      path,
    );
  }
  return { width, height, pages };
}

function depthOf(meta: Metadata, path: string): Depth {
  const depth = meta.depth;
  if (depth === 'uchar' || depth === 'char') return 'uchar';
  if (depth === 'ushort') return 'ushort';
  if (depth === 'short') return 'short';
  if (depth === 'float') return 'float';
  throw new ScanLensError(`unsupported sample type '${depth ?? 'unknown'}' (8/16-bit integer and 32-bit float are supported)`, path);
}

function typedView(data: Buffer, depth: Depth): VoxelArray {
  // Copy into an aligned array: sharp's buffer may start at an odd offset.
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(data);
  switch (depth) {
    case 'uchar':
      return bytes;
    case 'ushort':
      return new Uint16Array(bytes.buffer);
    case 'short':
      return new Int16Array(bytes.buffer);
    case 'float':
      return new Float32Array(bytes.buffer);
  }
}

function rangeOf(voxels: VoxelArray, depth: Depth): { min: number; max: number } {
  if (depth === 'uchar') return { min: 0, max: 255 };
  if (depth === 'ushort') return { min: 0, max: 65535 };
  if (depth === 'short') return { min: -32768, max: 32767 };
  let min = Infinity;
  let max = -Infinity;
  for (const v of voxels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : { min: 0, max: 1 };
}

/**
 * Decodes PNG, JPEG, TIFF and WebP (and GIF/AVIF/HEIF where sharp's libvips has
 * them) with stored values kept exact: 16-bit samples are read as 16-bit,
 * never rescaled to 8. Alpha is dropped; multi-page TIFFs become slices.
 */
export async function decodeRaster(buffer: Buffer, path: string, format: ScanFormat, limits: DecodeLimits): Promise<Scan> {
  const meta = await readHeader(buffer, path);
  const depth = depthOf(meta, path);
  const colourChannels = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0);
  const grey = colourChannels === 1;
  const { width, height, pages } = checkSize(meta, path, limits, depth, grey ? 1 : 3);
  const space = grey ? (BITS[depth] > 8 ? 'grey16' : 'b-w') : BITS[depth] > 8 ? 'rgb16' : 'srgb';

  let raw: { data: Buffer; info: { width: number; height: number; channels: number } };
  try {
    let pipeline = sharp()(buffer, { limitInputPixels: limits.maxPixels * pages, pages: -1, failOn: 'error' }).removeAlpha();
    if (depth !== 'float') pipeline = pipeline.toColourspace(space);
    raw = await pipeline.raw({ depth }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new ScanLensError(`cannot decode ${format.toUpperCase()} (${firstLine(error)})`, path);
  }
  const channels = raw.info.channels === 1 ? 1 : 3;
  if (raw.info.channels !== 1 && raw.info.channels !== 3) {
    throw new ScanLensError(`decoded to ${raw.info.channels} channels; expected grey or RGB`, path);
  }
  return rasterScan({ path, format, shape: [pages, height, width], channels, depth, voxels: typedView(raw.data, depth), colourSpace: meta.space });
}

/** A decoded raster as a Scan: the one place both raster decoders describe what they read. */
export function rasterScan(raster: { path: string; format: ScanFormat; shape: [number, number, number]; channels: 1 | 3; depth: Depth; voxels: VoxelArray; colourSpace: string | undefined }): Scan {
  const { path, format, depth, voxels, colourSpace } = raster;
  const valueRange = rangeOf(voxels, depth);
  const pages = raster.shape[0];
  return {
    path,
    format,
    shape: raster.shape,
    channels: raster.channels,
    voxels,
    bitsPerSample: BITS[depth],
    valueRange,
    // Raster DPI describes print size, not anatomy, so no physical spacing is claimed.
    spacing: undefined,
    window: { center: (valueRange.min + valueRange.max) / 2, width: valueRange.max - valueRange.min },
    metadata: {
      format,
      sampleType: depth,
      ...(colourSpace ? { colourSpace } : {}),
      ...(pages > 1 ? { pages } : {}),
    },
  };
}
