import type { DataSet, Element } from 'dicom-parser';
import { ScanLensError } from '../errors';
import type { PrivacyOptions } from '../privacy/redact';
import { parseDicomBytes } from './dicomParse';
import type { IdentifyingValues } from '../privacy/echoes';
import { describeTags, identifyingValues, keptText } from './dicomTags';
import { transferSyntax, type TransferSyntax } from './dicomTransferSyntax';
import type { DecodeLimits } from './limits';
import { scaledRange } from './niftiDecoder';
import { decodeRleFrame } from './rleDecoder';
import { compressedFrames, frameBytes, frameFragments } from './dicomEncapsulated';
import { invertMonochrome1, invertWindow, ybrFullToRgb } from './dicomPhotometric';
import { interleavePlanes, pixelModule, type PixelModule } from './dicomPixelModule';
import type { Affine, DisplayWindow, Rescale, Scan, VoxelArray } from './scan';
import { stringAt } from './dicomValues';
import { samplesFromBytes, valuesRange } from './voxelTypes';

function numbers(dataSet: DataSet, tag: string): number[] | undefined {
  const count = dataSet.numStringValues(tag);
  if (!count) return undefined;
  const values = Array.from({ length: count }, (_, i) => dataSet.floatString(tag, i));
  return values.every((v): v is number => v !== undefined && Number.isFinite(v)) ? values : undefined;
}

/** YBR_FULL_422 stores Y Y Cb Cr per pixel pair; expand to three samples per pixel as pydicom does. */
function expand422(bytes: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, i = 0; p + 1 < pixels + 1 && i + 3 < bytes.length + 1; p += 2, i += 4) {
    const [y1, y2, cb, cr] = [bytes[i]!, bytes[i + 1]!, bytes[i + 2]!, bytes[i + 3]!];
    out.set([y1, cb, cr], p * 3);
    if (p + 1 < pixels) out.set([y2, cb, cr], (p + 1) * 3);
  }
  return out;
}

function nativeFrames(dataSet: DataSet, element: Element, pm: PixelModule, ts: TransferSyntax, path: string): VoxelArray {
  const pixels = pm.rows * pm.columns;
  if (pm.bitsAllocated === 1) return unpackBits(dataSet, element, pixels * pm.samples * pm.frames, path);
  const sampleBytes = pm.bitsAllocated / 8;
  const subsampled = pm.photometric === 'YBR_FULL_422' && pm.samples === 3 && sampleBytes === 1;
  const frameBytes = subsampled ? pixels * 2 : pixels * pm.samples * sampleBytes;
  const total = frameBytes * pm.frames;
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (available < total) throw new ScanLensError(`pixel data is truncated: ${Math.max(0, available)} of ${total} bytes`, path);
  let bytes: Uint8Array = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + total);
  if (subsampled || (pm.planar && pm.samples === 3)) {
    const out = new Uint8Array(pixels * 3 * sampleBytes * pm.frames);
    for (let f = 0; f < pm.frames; f++) {
      const frame = bytes.subarray(f * frameBytes, (f + 1) * frameBytes);
      out.set(subsampled ? expand422(frame, pixels) : interleavePlanes(frame, pixels, sampleBytes), f * pixels * 3 * sampleBytes);
    }
    bytes = out;
  }
  return samplesFromBytes(bytes, pm.type, ts.littleEndian);
}

/** 1-bit pixels run on across frames with no padding, least significant bit first. */
function unpackBits(dataSet: DataSet, element: Element, count: number, path: string): Uint8Array {
  const needed = Math.ceil(count / 8);
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (available < needed) throw new ScanLensError(`pixel data is truncated: ${Math.max(0, available)} of ${needed} bytes`, path);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (dataSet.byteArray[element.dataOffset + (i >> 3)]! >> (i & 7)) & 1;
  return out;
}

function rleFrames(dataSet: DataSet, element: Element, pm: PixelModule, path: string): VoxelArray {
  const pixels = pm.rows * pm.columns;
  const sampleBytes = pm.bitsAllocated / 8;
  const frameSize = pixels * pm.samples * sampleBytes;
  const out = new Uint8Array(frameSize * pm.frames);
  frameFragments(element, pm.frames, path).forEach((parts, f) => {
    out.set(decodeRleFrame(frameBytes(dataSet, parts), pixels, pm.samples, sampleBytes, path), f * frameSize);
  });
  return samplesFromBytes(out, pm.type, true);
}

function rescaleOf(dataSet: DataSet): Rescale | undefined {
  const slope = dataSet.floatString('x00281053');
  const intercept = dataSet.floatString('x00281052');
  if (slope === undefined && intercept === undefined) return undefined;
  const s = slope !== undefined && Number.isFinite(slope) ? slope : 1;
  const i = intercept !== undefined && Number.isFinite(intercept) ? intercept : 0;
  return s === 1 && i === 0 ? undefined : { slope: s, intercept: i };
}

/**
 * The range BitsStored can hold: 12-bit data in 16-bit words spans 0..4095,
 * so "range" intensity scaling maps it to [0,1] rather than to [0,0.06].
 */
function storedRange(pm: PixelModule): { min: number; max: number } {
  const bits = pm.bitsStored;
  return pm.signed ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 } : { min: 0, max: 2 ** bits - 1 };
}

/** VOI windows; an explanation that repeats an identifying value of the file reads REDACTED (describeTags' rule). */
function windowsOf(dataSet: DataSet, identifying: IdentifyingValues | undefined): DisplayWindow[] {
  const centers = numbers(dataSet, 'x00281050') ?? [];
  const widths = numbers(dataSet, 'x00281051') ?? [];
  return centers.slice(0, widths.length).flatMap((center, i) => {
    const width = widths[i]!;
    if (!(width > 0)) return [];
    const name = stringAt(dataSet, 'x00281055', i);
    return [{ center, width, ...(name ? { name: keptText(name, identifying) } : {}) }];
  });
}

function dataRange(voxels: VoxelArray, rescale: Rescale | undefined): { min: number; max: number } {
  const range = valuesRange(voxels);
  return rescale ? scaledRange(range, rescale) : range;
}

/** Voxel → RAS affine from the image plane module (DICOM patient space is LPS). */
export function dicomAffine(dataSet: DataSet, spacing: readonly [number, number, number]): Affine | undefined {
  const iop = numbers(dataSet, 'x00200037');
  const ipp = numbers(dataSet, 'x00200032');
  if (!iop || iop.length !== 6 || !ipp || ipp.length !== 3) return undefined;
  const row = iop.slice(0, 3);
  const col = iop.slice(3, 6);
  const normal = [row[1]! * col[2]! - row[2]! * col[1]!, row[2]! * col[0]! - row[0]! * col[2]!, row[0]! * col[1]! - row[1]! * col[0]!];
  const [dz, dy, dx] = spacing;
  const lps = [0, 1, 2].map((a) => [row[a]! * dx, col[a]! * dy, normal[a]! * dz, ipp[a]!]);
  return [lps[0]!.map((v) => -v), lps[1]!.map((v) => -v), lps[2]!, [0, 0, 0, 1]];
}

function spacingOf(dataSet: DataSet): [number, number, number] | undefined {
  const pixel = numbers(dataSet, 'x00280030') ?? numbers(dataSet, 'x00181164');
  if (!pixel || pixel.length < 2) return undefined;
  const between = dataSet.floatString('x00180088') ?? dataSet.floatString('x00180050') ?? 1;
  return [Math.abs(between) || 1, pixel[0]!, pixel[1]!];
}

export type DicomOptions = PrivacyOptions;

/** A parsed DICOM file's pixels and geometry, before any series assembly. */
export async function decodeDicom(buffer: Buffer, path: string, limits: DecodeLimits, options: DicomOptions = {}): Promise<Scan> {
  const dataSet = await parseDicomBytes(buffer, path, limits);
  return scanFromDataSet(dataSet, path, limits, options);
}

export async function scanFromDataSet(dataSet: DataSet, path: string, limits: DecodeLimits, options: DicomOptions = {}): Promise<Scan> {
  const ts = transferSyntax(dataSet.string('x00020010'));
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new ScanLensError('DICOM file has no pixel data (not an image)', path);
  const pm = pixelModule(dataSet, path, limits);
  let voxels: VoxelArray;
  let photometric = pm.photometric;
  if (ts.encoding === 'native' && !element.encapsulatedPixelData) voxels = nativeFrames(dataSet, element, pm, ts, path);
  else if (ts.encoding === 'rle') voxels = rleFrames(dataSet, element, pm, path);
  else if (ts.encoding === 'unsupported') throw new ScanLensError(`transfer syntax ${ts.name} (${ts.uid}) cannot be decoded exactly by ScanLens yet`, path);
  else if (ts.encoding === 'native' || !element.encapsulatedPixelData) {
    throw new ScanLensError(`pixel data is ${element.encapsulatedPixelData ? '' : 'not '}encapsulated, which contradicts transfer syntax ${ts.name} (${ts.uid})`, path);
  } else {
    const decoded = await compressedFrames(dataSet, element, pm, ts, path);
    voxels = samplesFromBytes(decoded.bytes, pm.type, true);
    photometric = decoded.photometric;
  }

  if (pm.samples === 3 && (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422')) {
    if (!(voxels instanceof Uint8Array)) throw new ScanLensError(`${photometric} with BitsAllocated ${pm.bitsAllocated} has no defined conversion to RGB (8 bits only)`, path);
    ybrFullToRgb(voxels);
    photometric = 'RGB';
  }
  const rescale = pm.samples === 1 ? rescaleOf(dataSet) : undefined;
  const stored = pm.bitsAllocated <= 16 ? storedRange(pm) : valuesRange(voxels);
  const valueRange = rescale ? scaledRange(stored, rescale) : stored;
  const monochrome1 = pm.samples === 1 && photometric === 'MONOCHROME1';
  if (monochrome1) {
    invertMonochrome1(voxels, stored);
    photometric = 'MONOCHROME2';
  }
  const identifying = options.revealIdentifying ? undefined : identifyingValues(dataSet);
  const windows = pm.samples === 1 ? windowsOf(dataSet, identifying).map((w) => (monochrome1 ? invertWindow(w, valueRange) : w)) : [];
  const data = dataRange(voxels, rescale);
  const spacing = spacingOf(dataSet);
  const affine = dicomAffine(dataSet, spacing ?? [1, 1, 1]);
  return {
    path,
    format: 'dicom',
    shape: [pm.frames, pm.rows, pm.columns],
    channels: pm.samples === 3 ? 3 : 1,
    voxels,
    bitsPerSample: dataSet.uint16('x00280101') ?? pm.bitsAllocated,
    valueRange,
    spacing,
    window: windows[0] ?? { center: (data.min + data.max) / 2, width: Math.max(1, data.max - data.min) },
    ...(windows.length > 1 ? { windowPresets: windows } : {}),
    ...(rescale ? { rescale } : {}),
    ...(affine ? { affine } : {}),
    metadata: {
      format: 'DICOM',
      transferSyntax: ts.name,
      transferSyntaxUID: ts.uid,
      sampleType: pm.type,
      photometric,
      ...(pm.frames > 1 ? { frames: pm.frames } : {}),
      ...describeTags(dataSet, options, identifying),
    },
  };
}
