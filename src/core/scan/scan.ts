import type { Image2D } from '../image';

/** Container formats the engine recognises by content. */
export type ScanFormat = 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'avif' | 'heif';

export type VoxelArray = Uint8Array | Uint16Array | Int16Array | Float32Array;

/** A display window in stored-value units. */
export interface DisplayWindow {
  readonly center: number;
  readonly width: number;
}

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
  /** Full range the storage type can hold; "range" scaling maps it to [0,1]. */
  readonly valueRange: { readonly min: number; readonly max: number };
  /** Voxel spacing in mm as [z, y, x], when the format records it. */
  readonly spacing: readonly [number, number, number] | undefined;
  /** The window to show the scan with by default. */
  readonly window: DisplayWindow;
  /** Non-identifying descriptive metadata only. */
  readonly metadata: Readonly<Record<string, string | number>>;
}

/** One slice of a scan as floats in stored-value units. */
export function sliceImage(scan: Scan, z = 0): Image2D {
  const [depth, height, width] = scan.shape;
  if (z < 0 || z >= depth) throw new RangeError(`slice ${z} is outside 0..${depth - 1}`);
  const n = width * height * scan.channels;
  const data = new Float32Array(n);
  const offset = z * n;
  for (let i = 0; i < n; i++) data[i] = scan.voxels[offset + i]!;
  return { width, height, channels: scan.channels, data };
}
