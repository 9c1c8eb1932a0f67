import type { DataSet } from 'dicom-parser';
import { ScanLensError } from '../errors';
import type { DecodeLimits } from './limits';
import type { SampleType } from './voxelTypes';

/** The DICOM image pixel module: what the pixel data must decode to. */
export interface PixelModule {
  readonly rows: number;
  readonly columns: number;
  readonly samples: number;
  readonly frames: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly planar: boolean;
  readonly photometric: string;
  readonly type: SampleType;
}

export function pixelModule(dataSet: DataSet, path: string, limits: DecodeLimits): PixelModule {
  const rows = dataSet.uint16('x00280010') ?? 0;
  const columns = dataSet.uint16('x00280011') ?? 0;
  if (rows === 0 || columns === 0) throw new ScanLensError(`image is ${columns}×${rows}: DICOM Rows/Columns missing or zero`, path);
  const samples = dataSet.uint16('x00280002') ?? 1;
  if (samples !== 1 && samples !== 3) throw new ScanLensError(`${samples} samples per pixel; expected 1 or 3`, path);
  const frames = dataSet.intString('x00280008') ?? 1;
  if (!Number.isSafeInteger(frames) || frames < 1) throw new ScanLensError(`NumberOfFrames is ${frames}`, path);
  const bitsAllocated = dataSet.uint16('x00280100') ?? 0;
  const signed = (dataSet.uint16('x00280103') ?? 0) === 1;
  // 1-bit (segmentation, overlays) is unpacked to one byte per pixel, as pydicom does.
  const types: Record<number, SampleType> = signed ? { 8: 'int8', 16: 'int16', 32: 'int32' } : { 1: 'uint8', 8: 'uint8', 16: 'uint16', 32: 'uint32' };
  const type = types[bitsAllocated];
  if (!type) throw new ScanLensError(`BitsAllocated ${bitsAllocated} is not supported (8, 16 and 32 are)`, path);
  if (rows * columns > limits.maxPixels) throw new ScanLensError(`image is ${columns}×${rows} pixels, over the limit of ${limits.maxPixels} pixels`, path);
  if (rows * columns * samples * frames > limits.maxVoxels) throw new ScanLensError(`${frames} frames of ${columns}×${rows} are over the limit of ${limits.maxVoxels} voxels`, path);
  const photometric = (dataSet.string('x00280004') ?? (samples === 3 ? 'RGB' : 'MONOCHROME2')).trim();
  const bitsStored = Math.min(dataSet.uint16('x00280101') ?? bitsAllocated, bitsAllocated) || bitsAllocated;
  return { rows, columns, samples, frames, bitsAllocated, bitsStored, signed, planar: dataSet.uint16('x00280006') === 1, photometric, type };
}

/** Planar R…G…B… samples to interleaved RGB RGB …. */
export function interleavePlanes(bytes: Uint8Array, pixels: number, sampleBytes: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const plane = pixels * sampleBytes;
  for (let p = 0; p < pixels; p++) {
    for (let s = 0; s < 3; s++) out.set(bytes.subarray(s * plane + p * sampleBytes, s * plane + (p + 1) * sampleBytes), (p * 3 + s) * sampleBytes);
  }
  return out;
}
