import { ScanLensError } from '../errors';

/**
 * Decodes one DICOM RLE Lossless frame (PS3.5 Annex G) into samples laid out
 * interleaved (pixel by pixel, sample by sample), little endian. Each segment
 * holds one byte plane of one sample, most significant byte first.
 */
export function decodeRleFrame(frame: Uint8Array, pixels: number, samplesPerPixel: number, bytesPerSample: number, path: string): Uint8Array {
  if (frame.length < 64) throw new ScanLensError('RLE frame is shorter than its 64-byte header', path);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const expected = samplesPerPixel * bytesPerSample;
  if (segments !== expected) throw new ScanLensError(`RLE frame has ${segments} segments; expected ${expected}`, path);
  const offsets = Array.from({ length: segments }, (_, i) => view.getUint32(4 + 4 * i, true));
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = offsets[s]!;
    const end = s + 1 < segments ? offsets[s + 1]! : frame.length;
    if (start < 64 || end > frame.length || start > end) throw new ScanLensError(`RLE segment ${s} lies outside its frame`, path);
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (frame[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels && i < end; k++, written++, o += expected) out[o] = frame[i++]!;
      } else if (n !== -128) {
        const value = frame[i++]!;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += expected) out[o] = value;
      }
    }
    if (written < pixels) throw new ScanLensError(`RLE segment ${s} decodes to ${written} of ${pixels} pixels`, path);
  }
  return out;
}
