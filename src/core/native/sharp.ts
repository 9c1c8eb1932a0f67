import type SharpType from 'sharp';

let cached: typeof SharpType | undefined;

/** sharp loads a native library; it is required on first use so activation stays cheap. */
export function sharp(): typeof SharpType {
  if (!cached) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require('sharp') as typeof SharpType;
    // Every call works on new pixels, so libvips' operation cache would only cost time and memory.
    cached.cache(false);
  }
  return cached;
}
