import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ScanLensError } from '../errors';
import { inflateRange, isGzip } from './inflateRange';
import { DEFAULT_LIMITS } from './limits';
import { readLimited } from './loadScan';
import { readNiftiGeometry, type NiftiGeometry } from './niftiAffine';
import type { Affine, Scan } from './scan';
import { writeFileAtomic } from '../io/atomicWrite';

/** The orientation fields a written volume takes from its scan, so it overlays the scan in any viewer (those that read the qform as those that read the sform). */
export interface NiftiOrientation {
  readonly qformCode: number;
  readonly sformCode: number;
  readonly quatern: readonly [number, number, number];
  readonly qoffset: readonly [number, number, number];
  /** qfac (±1), then the x, y, z spacing. */
  readonly pixdim: readonly [number, number, number, number];
  readonly srow: readonly (readonly number[])[];
  /** Units of pixdim and toffset (NIfTI xyzt_units); 2 = mm. */
  readonly xyztUnits: number;
}

/** A float32 volume on a scan's voxel grid: x fastest, then y, then z. */
export interface NiftiVolume {
  readonly dims: readonly [number, number, number];
  readonly data: Float32Array;
}

const HEADER = 348;
const DATA_OFFSET = 352;
const XFORM_SCANNER_ANAT = 1;

/** The NIfTI-1 or -2 header of a .nii or .nii.gz: its orientation fields as stored (x, y, z dims for the check against the scan). */
async function headerOrientation(path: string): Promise<{ orientation: NiftiOrientation; dims: [number, number, number] }> {
  const raw = await readLimited(path, DEFAULT_LIMITS, 64 * 1024);
  const head = isGzip(raw) ? await inflateRange(raw, 0, 540).catch(() => Buffer.alloc(0)) : raw;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const size = (little: boolean): number => (head.length >= 4 ? view.getInt32(0, little) : 0);
  const little = size(true) === 348 || size(true) === 540;
  const version = size(little) === 348 ? 1 : size(little) === 540 ? 2 : undefined;
  if (!version || head.length < (version === 1 ? 348 : 540)) throw new ScanLensError('cannot read its NIfTI header again to copy the orientation', path);
  const dims = (version === 1 ? [42, 44, 46].map((at) => view.getInt16(at, little)) : [24, 32, 40].map((at) => Number(view.getBigInt64(at, little)))) as [number, number, number];
  const geometry: NiftiGeometry = readNiftiGeometry(view, version, little, dims);
  const xyztUnits = version === 1 ? view.getUint8(123) : view.getInt32(500, little) & 0xff;
  const [qfac, ...zooms] = geometry.pixdim as [number, number, number, number];
  return {
    dims,
    orientation: {
      qformCode: geometry.qformCode,
      sformCode: geometry.sformCode,
      quatern: geometry.quatern as [number, number, number],
      qoffset: geometry.qoffset as [number, number, number],
      pixdim: [qfac, ...zooms] as [number, number, number, number],
      srow: geometry.srow,
      xyztUnits,
    },
  };
}

/**
 * A rotation times zooms (and a reflection) as NIfTI's qform, as
 * nifti_mat44_to_quatern does; undefined when the voxel axes are not
 * orthogonal (a sheared affine only the sform can hold).
 */
function quaternOf(affine: Affine): Pick<NiftiOrientation, 'quatern' | 'qoffset' | 'pixdim'> | undefined {
  const column = (j: number): number[] => [0, 1, 2].map((i) => affine[i]![j]!);
  const zooms = [0, 1, 2].map((j) => Math.hypot(...column(j)));
  const r = [0, 1, 2].map((j) => column(j).map((v) => v / zooms[j]!));
  const dot = (a: number[], b: number[]): number => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  if (Math.abs(dot(r[0]!, r[1]!)) > 1e-4 || Math.abs(dot(r[0]!, r[2]!)) > 1e-4 || Math.abs(dot(r[1]!, r[2]!)) > 1e-4) return undefined;
  const [c0, c1, c2] = r as [number[], number[], number[]];
  const det = c0[0]! * (c1[1]! * c2[2]! - c1[2]! * c2[1]!) - c1[0]! * (c0[1]! * c2[2]! - c0[2]! * c2[1]!) + c2[0]! * (c0[1]! * c1[2]! - c0[2]! * c1[1]!);
  const qfac = det < 0 ? -1 : 1;
  // m[i][j]: row i, column j of the proper rotation (the third column negated for a reflection).
  const m = [0, 1, 2].map((i) => [c0[i]!, c1[i]!, c2[i]! * qfac]) as [number[], number[], number[]];
  let [a, b, c, d] = [m[0]![0]! + m[1]![1]! + m[2]![2]! + 1, 0, 0, 0];
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    [b, c, d] = [(0.25 * (m[2]![1]! - m[1]![2]!)) / a, (0.25 * (m[0]![2]! - m[2]![0]!)) / a, (0.25 * (m[1]![0]! - m[0]![1]!)) / a];
  } else {
    const [xd, yd, zd] = [1 + m[0]![0]! - (m[1]![1]! + m[2]![2]!), 1 + m[1]![1]! - (m[0]![0]! + m[2]![2]!), 1 + m[2]![2]! - (m[0]![0]! + m[1]![1]!)];
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      [c, d, a] = [(0.25 * (m[0]![1]! + m[1]![0]!)) / b, (0.25 * (m[0]![2]! + m[2]![0]!)) / b, (0.25 * (m[2]![1]! - m[1]![2]!)) / b];
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      [b, d, a] = [(0.25 * (m[0]![1]! + m[1]![0]!)) / c, (0.25 * (m[1]![2]! + m[2]![1]!)) / c, (0.25 * (m[0]![2]! - m[2]![0]!)) / c];
    } else {
      d = 0.5 * Math.sqrt(zd);
      [b, c, a] = [(0.25 * (m[0]![2]! + m[2]![0]!)) / d, (0.25 * (m[1]![2]! + m[2]![1]!)) / d, (0.25 * (m[1]![0]! - m[0]![1]!)) / d];
    }
    if (a < 0) [b, c, d] = [-b, -c, -d];
  }
  return { quatern: [b, c, d], qoffset: [affine[0]![3]!, affine[1]![3]!, affine[2]![3]!], pixdim: [qfac, zooms[0]!, zooms[1]!, zooms[2]!] };
}

/**
 * The orientation a map of this scan is written with: a NIfTI scan's own
 * header fields, copied (qform, sform, their codes, pixdim, units), read again
 * from its file; any other volume's affine (a DICOM series' patient
 * coordinates, RAS) as a scanner-anatomical sform, and as the qform too when
 * its axes are orthogonal.
 */
export async function niftiOrientation(scan: Scan): Promise<NiftiOrientation> {
  const [depth, height, width] = scan.shape;
  if (scan.format === 'nifti') {
    const { orientation, dims } = await headerOrientation(scan.path);
    if (dims[0] !== width || dims[1] !== height || dims[2] !== depth) {
      throw new ScanLensError(`its header now says ${dims.join('×')} voxels, not the ${width}×${height}×${depth} read: the file changed`, scan.path);
    }
    return orientation;
  }
  const [sz, sy, sx] = scan.spacing ?? [1, 1, 1];
  const affine = scan.affine;
  if (!affine)
    return {
      qformCode: 0,
      sformCode: 0,
      quatern: [0, 0, 0],
      qoffset: [0, 0, 0],
      pixdim: [1, sx, sy, sz],
      srow: [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      xyztUnits: 2,
    };
  const qform = quaternOf(affine);
  return {
    sformCode: XFORM_SCANNER_ANAT,
    srow: affine.slice(0, 3).map((row) => row.slice(0, 4)),
    ...(qform ? { qformCode: XFORM_SCANNER_ANAT, ...qform } : { qformCode: 0, quatern: [0, 0, 0], qoffset: [0, 0, 0], pixdim: [1, sx, sy, sz] }),
    xyztUnits: 2,
  };
}

/** The finite values' smallest and largest, for cal_min/cal_max (0, 0 when none). */
function finiteRange(data: Float32Array): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** A float32 NIfTI-1 single file (.nii layout: header, 4 bytes of no extensions, data), little endian. */
export function encodeNifti(volume: NiftiVolume, orientation: NiftiOrientation, description = 'ScanLens'): Uint8Array {
  const [nx, ny, nz] = volume.dims;
  const bytes = new Uint8Array(DATA_OFFSET + volume.data.length * 4);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, HEADER, true);
  view.setUint8(38, 'r'.charCodeAt(0));
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((v, i) => view.setInt16(40 + 2 * i, v, true));
  view.setInt16(70, 16, true); // NIFTI_TYPE_FLOAT32
  view.setInt16(72, 32, true);
  [...orientation.pixdim, 1, 1, 1, 1].forEach((v, i) => view.setFloat32(76 + 4 * i, v, true));
  view.setFloat32(108, DATA_OFFSET, true);
  view.setFloat32(112, 1, true);
  view.setUint8(123, orientation.xyztUnits);
  const [lo, hi] = finiteRange(volume.data);
  view.setFloat32(124, hi, true);
  view.setFloat32(128, lo, true);
  bytes.set(new TextEncoder().encode(description.slice(0, 79)), 148);
  view.setInt16(252, orientation.qformCode, true);
  view.setInt16(254, orientation.sformCode, true);
  [...orientation.quatern, ...orientation.qoffset].forEach((v, i) => view.setFloat32(256 + 4 * i, v, true));
  orientation.srow.forEach((row, r) => row.forEach((v, c) => view.setFloat32(280 + 16 * r + 4 * c, v, true)));
  bytes.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0": header and data in one file
  new Float32Array(bytes.buffer, DATA_OFFSET, volume.data.length).set(volume.data);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    // A big-endian host: the data block rewritten little endian, as the header says.
    for (let i = 0; i < volume.data.length; i++) view.setFloat32(DATA_OFFSET + 4 * i, volume.data[i]!, true);
  }
  return bytes;
}

/**
 * Writes a float32 volume as NIfTI-1 (`.nii`, or gzipped `.nii.gz`) with the
 * given orientation. Refused by one line naming the file: another extension,
 * data not matching the dimensions, a dimension NIfTI-1 cannot hold, or more
 * voxels than ScanLens reads back.
 */
export async function writeNifti(path: string, volume: NiftiVolume, orientation: NiftiOrientation, description?: string): Promise<void> {
  const gzipped = /\.nii\.gz$/i.test(path);
  if (!gzipped && !/\.nii$/i.test(path)) throw new ScanLensError('a NIfTI map is written as .nii or .nii.gz', path);
  const [nx, ny, nz] = volume.dims;
  if (volume.dims.some((n) => !Number.isInteger(n) || n < 1 || n > 32767)) throw new ScanLensError(`cannot write ${nx}×${ny}×${nz} voxels as NIfTI-1 (each dimension 1 to 32767)`, path);
  if (volume.data.length !== nx * ny * nz) throw new ScanLensError(`${volume.data.length} values do not fill ${nx}×${ny}×${nz} voxels`, path);
  if (volume.data.length > DEFAULT_LIMITS.maxVoxels) throw new ScanLensError(`${nx}×${ny}×${nz} voxels is over the limit of ${DEFAULT_LIMITS.maxVoxels}`, path);
  const bytes = encodeNifti(volume, orientation, description);
  await writeFileAtomic(path, gzipped ? await promisify(gzip)(bytes) : bytes);
}

/** A float32 volume on a scan's own voxels (x fastest, as the scan stores them) written as NIfTI that overlays that scan. */
export async function writeScanNifti(path: string, scan: Scan, data: Float32Array, description?: string): Promise<void> {
  const [depth, height, width] = scan.shape;
  await writeNifti(path, { dims: [width, height, depth], data }, await niftiOrientation(scan), description);
}
