/** Input size limits, so hostile or mistaken files are refused before decoding. */
export interface DecodeLimits {
  /** Most pixels one image (or slice) may have. */
  readonly maxPixels: number;
  /** Largest file read, in bytes. */
  readonly maxFileBytes: number;
}

export const DEFAULT_LIMITS: DecodeLimits = {
  maxPixels: 8192 * 8192,
  maxFileBytes: 1024 * 1024 * 1024,
};
