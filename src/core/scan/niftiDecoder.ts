import { ScanLensError } from '../errors';
import { inflateRange, isGzip } from './inflateRange';
import type { DecodeLimits } from './limits';
import { affineProblem, affineSource, niftiAffine, readNiftiGeometry } from './niftiAffine';
import type { Rescale, Scan, VoxelArray } from './scan';
import { bytesPerSample, samplesFromBytes, typeRange, valuesRange, type SampleType } from './voxelTypes';

/** NIfTI datatype codes → how their samples are stored. */
const DATATYPES: Record<number, { type: SampleType; channels: 1 | 3; perVoxel: number; name: string } | string> = {
  2: { type: 'uint8', channels: 1, perVoxel: 1, name: 'uint8' },
  4: { type: 'int16', channels: 1, perVoxel: 1, name: 'int16' },
  8: { type: 'int32', channels: 1, perVoxel: 1, name: 'int32' },
  16: { type: 'float32', channels: 1, perVoxel: 1, name: 'float32' },
  64: { type: 'float64', channels: 1, perVoxel: 1, name: 'float64' },
  256: { type: 'int8', channels: 1, perVoxel: 1, name: 'int8' },
  512: { type: 'uint16', channels: 1, perVoxel: 1, name: 'uint16' },
  768: { type: 'uint32', channels: 1, perVoxel: 1, name: 'uint32' },
  128: { type: 'uint8', channels: 3, perVoxel: 3, name: 'rgb24' },
  2304: { type: 'uint8', channels: 3, perVoxel: 4, name: 'rgba32' },
  1024: 'int64',
  1280: 'uint64',
  32: 'complex64',
  1792: 'complex128',
  1536: 'float128',
  2048: 'complex256',
  1: 'binary',
};

export interface NiftiOptions {
  /** Which volume of a 4D (or higher) file to load; 0 by default. */
  readonly volume?: number;
}

type NiftiModule = typeof import('nifti-reader-js', { with: { 'resolution-mode': 'import' } });

// nifti-reader-js is an ES module; a dynamic import loads it from CommonJS.
const niftiModule: Promise<NiftiModule> = import('nifti-reader-js');

const HEADER_BYTES = 540;

async function readRange(buffer: Buffer, compressed: boolean, from: number, to: number): Promise<Uint8Array> {
  if (!compressed) return buffer.subarray(Math.min(from, buffer.length), Math.min(to, buffer.length));
  return inflateRange(buffer, from, to);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function checkedScaling(slope: number, inter: number, path: string): Rescale | undefined {
  // nibabel's rule: a zero or non-finite slope means "not scaled".
  if (!Number.isFinite(slope) || slope === 0) return undefined;
  if (!Number.isFinite(inter)) throw new ScanLensError(`scl_inter is ${inter}`, path);
  return slope === 1 && inter === 0 ? undefined : { slope, intercept: inter };
}

/**
 * Decodes NIfTI-1 and NIfTI-2 (.nii, .nii.gz): every real-valued datatype and
 * RGB, scl_slope/inter as the modality rescale, sform/qform as the affine. Of a
 * 4D file one volume is loaded; compressed files are inflated only as far as
 * that volume, so a gzip bomb costs no more than the header promises.
 */
/**
 * NIfTI has no notion of stored bits, so an int16 volume holding 0..1000 is
 * not "dim" the way a 12-bit DICOM in 16-bit words is: its range is the
 * header's cal_min..cal_max when set, else the data's own range (uint8 keeps
 * 0..255, like an 8-bit image). This is what "range" intensity scaling and the
 * default display window use.
 */
function niftiRange(header: { cal_min: number; cal_max: number }, type: SampleType, voxels: VoxelArray, rescale: Rescale | undefined): { min: number; max: number } {
  if (Number.isFinite(header.cal_min) && Number.isFinite(header.cal_max) && header.cal_max > header.cal_min) {
    return { min: header.cal_min, max: header.cal_max };
  }
  const stored = type === 'uint8' ? typeRange(type, voxels) : valuesRange(voxels);
  return rescale ? scaledRange(stored, rescale) : stored;
}

export async function decodeNifti(buffer: Buffer, path: string, limits: DecodeLimits, options: NiftiOptions = {}): Promise<Scan> {
  const compressed = isGzip(buffer);
  const headBytes = await readRange(buffer, compressed, 0, HEADER_BYTES);
  const nifti = await niftiModule;
  const head = toArrayBuffer(headBytes);
  if (!nifti.isNIFTI(head, true)) throw new ScanLensError('not a NIfTI file (no NIfTI header)', path);
  const version = nifti.isNIFTI2(head, true) ? 2 : 1;
  if (headBytes.length < (version === 1 ? 348 : 540)) throw new ScanLensError('NIfTI header is truncated', path);
  let header;
  try {
    header = nifti.readHeader(head, true);
  } catch (error) {
    throw new ScanLensError(`cannot read NIfTI header (${(error as Error).message})`, path);
  }
  if (header.magic.startsWith('ni')) throw new ScanLensError('header of a .hdr/.img pair: open the single-file .nii form instead', path);

  const rank = header.dims[0]!;
  if (!Number.isInteger(rank) || rank < 1 || rank > 7) throw new ScanLensError(`NIfTI dim[0] is ${rank}; expected 1 to 7`, path);
  const dims = Array.from({ length: 7 }, (_, i) => (i < rank ? header.dims[i + 1]! : 1));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 1)) throw new ScanLensError(`NIfTI dimensions ${dims.slice(0, rank).join('×')} are not all positive`, path);
  const [nx, ny, nz] = dims as [number, number, number];
  const volumes = dims.slice(3).reduce((a, b) => a * b, 1);

  const kind = DATATYPES[header.datatypeCode];
  if (kind === undefined) throw new ScanLensError(`unknown NIfTI datatype code ${header.datatypeCode}`, path);
  if (typeof kind === 'string') throw new ScanLensError(`NIfTI datatype ${kind} is not supported (real-valued integer, float and RGB are)`, path);

  if (nx * ny > limits.maxPixels) throw new ScanLensError(`slices are ${nx}×${ny} pixels, over the limit of ${limits.maxPixels} pixels`, path);
  const samples = nx * ny * nz * kind.perVoxel;
  if (samples > limits.maxVoxels) throw new ScanLensError(`volume is ${nx}×${ny}×${nz}, over the limit of ${limits.maxVoxels} voxels`, path);
  const volume = options.volume ?? 0;
  if (!Number.isInteger(volume) || volume < 0 || volume >= volumes) {
    throw new ScanLensError(`volume ${volume} does not exist: the file has ${volumes} volume(s), numbered from 0`, path);
  }
  const size = samples * bytesPerSample(kind.type);
  // nibabel reads vox_offset as int(vox_offset); NaN or infinity points nowhere.
  if (!Number.isFinite(header.vox_offset)) throw new ScanLensError(`NIfTI vox_offset is ${header.vox_offset}; expected the byte offset of the image data`, path);
  const offset = Math.max(Math.trunc(header.vox_offset), version === 1 ? 348 : 540);
  const start = offset + volume * size;
  if (start + size - offset > limits.maxDecodedBytes) throw new ScanLensError(`reaching volume ${volume} means decoding ${start + size} bytes, over the limit of ${limits.maxDecodedBytes}`, path);

  const bytes = await readRange(buffer, compressed, start, start + size);
  if (bytes.length < size) throw new ScanLensError(`image data is truncated: ${bytes.length} of ${size} bytes for volume ${volume}`, path);

  let voxels: VoxelArray = samplesFromBytes(bytes, kind.type, header.littleEndian);
  if (kind.perVoxel === 4) voxels = dropAlpha(voxels as Uint8Array);
  const rgb = kind.channels === 3;
  const rescale = rgb ? undefined : checkedScaling(header.scl_slope, header.scl_inter, path);
  const valueRange = niftiRange(header, kind.type, voxels, rescale);
  const geometry = readNiftiGeometry(new DataView(head), version, header.littleEndian, [nx, ny, nz]);
  const affine = niftiAffine(geometry);
  const problem = affineProblem(affine);
  if (problem) throw new ScanLensError(`NIfTI affine from the ${affineSource(geometry)} ${problem}`, path);
  const pix = geometry.pixdim.map((p) => Math.abs(p));
  return {
    path,
    format: 'nifti',
    shape: [nz, ny, nx],
    channels: kind.channels,
    voxels,
    bitsPerSample: bytesPerSample(kind.type) * 8,
    valueRange,
    spacing: [pix[3] || 1, pix[2] || 1, pix[1] || 1],
    window: { center: (valueRange.min + valueRange.max) / 2, width: valueRange.max - valueRange.min },
    ...(rescale ? { rescale } : {}),
    affine,
    metadata: {
      format: `NIfTI-${version}${compressed ? ' (gzip)' : ''}`,
      datatype: kind.name,
      dims: dims.slice(0, rank).join('×'),
      volume,
      volumes,
      qformCode: geometry.qformCode,
      sformCode: geometry.sformCode,
    },
  };
}

function dropAlpha(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4) {
    out[o++] = rgba[i]!;
    out[o++] = rgba[i + 1]!;
    out[o++] = rgba[i + 2]!;
  }
  return out;
}

export function scaledRange(range: { min: number; max: number }, rescale: Rescale): { min: number; max: number } {
  const a = range.min * rescale.slope + rescale.intercept;
  const b = range.max * rescale.slope + rescale.intercept;
  return { min: Math.min(a, b), max: Math.max(a, b) };
}
