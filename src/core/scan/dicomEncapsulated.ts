import type { DataSet, Element } from 'dicom-parser';
import { ScanLensError } from '../errors';
import { j2kHeader, jpegHeader, type CodestreamHeader } from './codestreamHeader';
import { interleavePlanes, type PixelModule } from './dicomPixelModule';
import type { TransferSyntax } from './dicomTransferSyntax';
import { decodeJpegLossless } from './jpegLosslessCodec';
import { decodeWithWasm } from './wasmCodecs';

/** The fragments holding each frame: one fragment per frame, the offset table, or all fragments for one frame. */
export function frameFragments(element: Element, frames: number, path: string): NonNullable<Element['fragments']>[] {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new ScanLensError('encapsulated pixel data has no fragments', path);
  if (frames === 1) return [fragments];
  if (fragments.length === frames) return fragments.map((f) => [f]);
  const table = element.basicOffsetTable ?? [];
  if (table.length !== frames) throw new ScanLensError(`${frames} frames in ${fragments.length} fragments with no usable offset table`, path);
  if (table.some((start, i) => i > 0 && start < table[i - 1]!)) throw new ScanLensError('the basic offset table is not in ascending order', path);
  // One pass over fragments (in file order) and frame starts together: a table of many thousand frames costs no more than its fragments.
  const framesOut = table.map((): NonNullable<Element['fragments']> => []);
  let frame = 0;
  for (const fragment of fragments) {
    if (fragment.offset < table[0]!) continue;
    while (frame + 1 < table.length && fragment.offset >= table[frame + 1]!) frame++;
    framesOut[frame]!.push(fragment);
  }
  return framesOut;
}

export function frameBytes(dataSet: DataSet, parts: NonNullable<Element['fragments']>): Uint8Array {
  const chunks = parts.map((p) => dataSet.byteArray.subarray(p.position, p.position + p.length));
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Decoded frames of a compressed transfer syntax, and the colour space the samples came out in. */
export interface CompressedPixels {
  /** Samples interleaved per pixel, little endian, BitsAllocated wide. */
  readonly bytes: Uint8Array;
  readonly photometric: string;
}

function refusal(ts: TransferSyntax, path: string) {
  return (reason: string) => new ScanLensError(`transfer syntax ${ts.name} (${ts.uid}) cannot be decoded exactly: ${reason}`, path);
}

/** Checks a frame's own header against the pixel module before any decoder allocates for it. */
function checkHeader(header: CodestreamHeader | undefined, pm: PixelModule, ts: TransferSyntax, refuse: (reason: string) => ScanLensError): CodestreamHeader {
  if (!header) throw refuse(`a frame has no readable ${ts.encoding === 'jpeg2000' ? 'JPEG 2000 SIZ' : 'JPEG frame'} header`);
  if (header.width !== pm.columns || header.height !== pm.rows) throw refuse(`a frame is coded as ${header.width}×${header.height} but Rows/Columns say ${pm.columns}×${pm.rows}`);
  if (header.components !== pm.samples) throw refuse(`a frame has ${header.components} components but SamplesPerPixel is ${pm.samples}`);
  if (header.precision > pm.bitsAllocated) throw refuse(`${header.precision}-bit samples do not fit BitsAllocated ${pm.bitsAllocated}`);
  if (ts.encoding === 'jpeg') {
    if (header.precision !== 8) throw refuse(`${header.precision}-bit lossy JPEG has no exact decoder in ScanLens (libjpeg-turbo's WASM build reads 8-bit only)`);
    if (pm.samples === 3 && pm.photometric.startsWith('YBR') !== header.ycbcr) {
      throw refuse(`DICOM says ${pm.photometric} but the JPEG stream's markers say ${header.ycbcr ? 'YCbCr' : 'RGB'}; ScanLens will not guess the colour transform`);
    }
  }
  return header;
}

/** Widens 8-bit samples to 16 and sign-extends BitsStored-wide values coded as unsigned, as pydicom does. */
function toAllocated(samples: Uint8Array, sampleBytes: number, header: CodestreamHeader, pm: PixelModule): Uint8Array {
  const wide = pm.bitsAllocated / 8;
  if (wide === 1) return samples;
  const count = samples.length / sampleBytes;
  const values = sampleBytes === 2 ? new Uint16Array(samples.buffer, samples.byteOffset, count) : samples;
  const out = new Uint16Array(count);
  const signBit = 1 << (pm.bitsStored - 1);
  const extend = pm.signed && !header.signed && pm.bitsStored < 16;
  const narrowSigned = header.signed && sampleBytes === 1;
  for (let i = 0; i < count; i++) {
    let v = values[i]!;
    if (narrowSigned) v = (v << 24) >> 24;
    else if (extend && v & signBit) v -= signBit << 1;
    out[i] = v & 0xffff;
  }
  return new Uint8Array(out.buffer);
}

/**
 * Whether a JPEG-family codestream ends with its end marker (JPEG's EOI and
 * JPEG 2000's EOC are both FFD9), allowing the NUL padding that evens a
 * fragment's length. A codestream cut short is refused before a codec sees
 * it: CharLS can spin for a minute on one.
 */
function endsWhole(encoded: Uint8Array): boolean {
  let end = encoded.length;
  while (end > 2 && encoded.length - end < 8 && encoded[end - 1] === 0) end--;
  return encoded[end - 2] === 0xff && encoded[end - 1] === 0xd9;
}

async function decodeFrame(encoded: Uint8Array, frame: number, pm: PixelModule, ts: TransferSyntax, refuse: (reason: string) => ScanLensError): Promise<Uint8Array> {
  if (!endsWhole(encoded)) throw refuse(`frame ${frame} is cut short: its codestream has no end marker (FFD9)`);
  const header = checkHeader(ts.encoding === 'jpeg2000' ? j2kHeader(encoded) : jpegHeader(encoded), pm, ts, refuse);
  const pixels = pm.rows * pm.columns;
  let samples: Uint8Array;
  try {
    if (ts.encoding === 'jpeg-lossless') samples = decodeJpegLossless(encoded);
    else {
      const decoded = await decodeWithWasm(ts.encoding === 'jpeg' ? 'libjpeg-turbo' : ts.encoding === 'jpeg-ls' ? 'charls' : 'openjpeg', encoded);
      samples = decoded.bytes;
      // CharLS hands back non-interleaved scans one plane after another.
      if (pm.samples === 3 && decoded.interleaveMode === 0) samples = interleavePlanes(samples, pixels, header.precision > 8 ? 2 : 1);
    }
  } catch (error) {
    throw refuse((error as Error).message);
  }
  const sampleBytes = samples.length / (pixels * pm.samples);
  if (sampleBytes !== 1 && sampleBytes !== 2) throw refuse(`the decoder returned ${samples.length} bytes for ${pixels * pm.samples} samples`);
  return toAllocated(samples, sampleBytes, header, pm);
}

/** Decodes every frame of JPEG, JPEG lossless, JPEG-LS or JPEG 2000 pixel data, refusing by name what cannot be exact. */
export async function compressedFrames(dataSet: DataSet, element: Element, pm: PixelModule, ts: TransferSyntax, path: string): Promise<CompressedPixels> {
  const refuse = refusal(ts, path);
  if (pm.bitsAllocated !== 8 && pm.bitsAllocated !== 16) throw refuse(`BitsAllocated ${pm.bitsAllocated} in a compressed frame`);
  const frameSize = pm.rows * pm.columns * pm.samples * (pm.bitsAllocated / 8);
  const out = new Uint8Array(frameSize * pm.frames);
  const parts = frameFragments(element, pm.frames, path);
  for (let f = 0; f < parts.length; f++) {
    const frame = await decodeFrame(frameBytes(dataSet, parts[f]!), f + 1, pm, ts, refuse);
    if (frame.length !== frameSize) throw refuse(`frame ${f + 1} decodes to ${frame.length} bytes, expected ${frameSize}`);
    out.set(frame, f * frameSize);
  }
  // libjpeg and OpenJPEG undo the YCbCr / RCT / ICT colour transforms themselves.
  const converted = pm.samples === 3 && (ts.encoding === 'jpeg' || ts.encoding === 'jpeg2000') && pm.photometric.startsWith('YBR');
  return { bytes: out, photometric: converted ? 'RGB' : pm.photometric };
}
