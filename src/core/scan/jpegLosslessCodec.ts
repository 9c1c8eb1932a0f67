import { Decoder } from 'jpeg-lossless-decoder-js';

/** JPEG lossless (process 14) samples, interleaved, little endian; 1 byte per sample up to 8 bits, else 2. */
export function decodeJpegLossless(encoded: Uint8Array): Uint8Array {
  // The decoder reads a whole ArrayBuffer, so give it its own copy (Buffer#slice would be a view).
  const own = new Uint8Array(encoded);
  let decoded: Uint8Array | Uint16Array;
  try {
    decoded = new Decoder().decode(own.buffer, 0, own.length);
  } catch (error) {
    throw new Error(`the JPEG lossless decoder failed (${error instanceof Error ? error.message : String(error)})`);
  }
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}
