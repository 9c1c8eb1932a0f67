/** Input size limits, so hostile or mistaken files are refused before decoding. */
export interface DecodeLimits {
  /** Most pixels one image (or slice) may have. */
  readonly maxPixels: number;
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** Most voxels one decoded volume may have (all slices, all channels). */
  readonly maxVoxels: number;
  /** Most bytes decompression (gzip, deflate, RLE, JPEG) may produce for one scan. */
  readonly maxDecodedBytes: number;
  /** Longest one DICOM/NIfTI decode (or series) may run in its worker; unset: scaled by file size up to DEFAULT_DECODE_SECONDS. */
  readonly maxDecodeSeconds?: number;
  /** JS heap cap of the decoding worker, in MB (typed-array pixel buffers are capped by the size limits above). */
  readonly maxDecodeHeapMb?: number;
  /** Most elements, items and fragments one DICOM file may hold (dicom-parser makes an object of each); unset: DEFAULT_DICOM_STRUCTURE. */
  readonly maxDicomElements?: number;
  /** Deepest nesting of DICOM sequences; unset: DEFAULT_DICOM_STRUCTURE. */
  readonly maxDicomNesting?: number;
}

/**
 * Far above real headers (an enhanced multi-frame file with thousands of
 * per-frame functional groups holds some hundred thousand elements; nesting
 * rarely passes six), far below what exhausts dicom-parser's memory.
 */
export const DEFAULT_DICOM_STRUCTURE = { maxDicomElements: 1_000_000, maxDicomNesting: 32 } as const;

export const DEFAULT_LIMITS: DecodeLimits = {
  maxPixels: 8192 * 8192,
  maxFileBytes: 1024 * 1024 * 1024,
  maxVoxels: 512 * 512 * 1024,
  maxDecodedBytes: 1024 * 1024 * 1024,
  maxDecodeHeapMb: 1024,
};

/** The ceiling on one decode when maxDecodeSeconds is not set. */
export const DEFAULT_DECODE_SECONDS = 120;
