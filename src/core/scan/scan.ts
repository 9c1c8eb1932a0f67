import type { Image2D } from '../image';

/** Container formats the engine recognises by content. */
export type ScanFormat = 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'avif' | 'heif' | 'dicom' | 'nifti';

export type VoxelArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** A display window in modality units (after `rescale`). */
export interface DisplayWindow {
  readonly center: number;
  readonly width: number;
  readonly name?: string;
}

/** Linear map from stored values to modality units (DICOM modality LUT, NIfTI scl_slope/inter). */
export interface Rescale {
  readonly slope: number;
  readonly intercept: number;
}

/**
 * 4×4 row-major matrix taking voxel indices (x, y, z) = (column, row, slice)
 * to patient coordinates in mm, RAS+ (NIfTI's convention; DICOM's LPS is
 * converted on reading).
 */
export type Affine = readonly (readonly number[])[];

/**
 * One decoded scan, whatever the file format. Rasters are one slice deep;
 * volumes (DICOM series, NIfTI) use the same shape with depth > 1.
 */
export interface Scan {
  readonly path: string;
  readonly format: ScanFormat;
  /** [depth, height, width]. */
  readonly shape: readonly [number, number, number];
  /** 1 (grey) or 3 (RGB), interleaved after x. */
  readonly channels: 1 | 3;
  /** Stored values exactly as decoded: z, then y, then x, then channel. */
  readonly voxels: VoxelArray;
  /** Bits per sample as stored (8 or 16 for rasters). */
  readonly bitsPerSample: number;
  /** Full range in modality units that the stored type can hold; "range" scaling maps it to [0,1]. */
  readonly valueRange: { readonly min: number; readonly max: number };
  /** Voxel spacing in mm as [z, y, x], when the format records it. */
  readonly spacing: readonly [number, number, number] | undefined;
  /** The window to show the scan with by default, in modality units. */
  readonly window: DisplayWindow;
  /** Other windows the file suggests (DICOM presets), in modality units. */
  readonly windowPresets?: readonly DisplayWindow[];
  /** Stored → modality units; absent means identity. */
  readonly rescale?: Rescale;
  /** Voxel → patient RAS mm, when the format records orientation. */
  readonly affine?: Affine;
  /** Non-identifying descriptive metadata only. */
  readonly metadata: Readonly<Record<string, string | number>>;
}

/** Stored value → modality units. */
export function modalityValue(scan: Scan, stored: number): number {
  return scan.rescale ? stored * scan.rescale.slope + scan.rescale.intercept : stored;
}

/** Slice `z` as a one-slice scan, its stored values copied: small enough to hand on in the stored type. Spacing and affine stay the scan's. */
export function sliceOf(scan: Scan, z: number): Scan {
  const [depth, height, width] = scan.shape;
  if (z < 0 || z >= depth) throw new RangeError(`slice ${z} is outside 0..${depth - 1}`);
  const n = width * height * scan.channels;
  return { ...scan, shape: [1, height, width], voxels: scan.voxels.slice(z * n, (z + 1) * n) };
}

/** One slice of a scan as floats in modality units (stored values after `rescale`). */
export function sliceImage(scan: Scan, z = 0): Image2D {
  const [depth, height, width] = scan.shape;
  if (z < 0 || z >= depth) throw new RangeError(`slice ${z} is outside 0..${depth - 1}`);
  const n = width * height * scan.channels;
  const data = new Float32Array(n);
  const offset = z * n;
  const slope = scan.rescale?.slope ?? 1;
  const intercept = scan.rescale?.intercept ?? 0;
  for (let i = 0; i < n; i++) data[i] = scan.voxels[offset + i]! * slope + intercept;
  return { width, height, channels: scan.channels, data };
}
