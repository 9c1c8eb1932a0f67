import type SharpType from 'sharp';

let cached: typeof SharpType | undefined;

/** sharp loads a native library; it is required on first use so activation stays cheap. */
export function sharp(): typeof SharpType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached ??= require('sharp') as typeof SharpType;
  return cached;
}
