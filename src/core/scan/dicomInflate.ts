import { ScanLensError } from '../errors';
import { walkDataSet, type DicomLayout, type StructureLimits } from './dicomStructure';
import { inflateRange } from './inflateRange';
import type { DecodeLimits } from './limits';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const PIXEL_DATA = 0x7fe00010;
const FIRST_WINDOW = 1024 * 1024;

/**
 * The bytes before the data set followed by `body`, in one array as
 * dicom-parser's inflater returns it. dicom-parser parses that array from
 * its first byte, preamble and file meta group included (once more, as data
 * set elements), so the preamble is overwritten with one element whose value
 * spans up to the data set: it parses what follows the meta group, and only that.
 */
function joined(input: Uint8Array, bodyStart: number, body: Uint8Array): Uint8Array {
  const full = new Uint8Array(bodyStart + body.length);
  full.set(input.subarray(0, bodyStart));
  full.set(body, bodyStart);
  const skip = new DataView(full.buffer, 0, 12);
  skip.setUint32(0, 0);
  skip.setUint16(4, 0x4f42); // 'OB'
  skip.setUint16(6, 0);
  skip.setUint32(8, bodyStart - 12, true);
  return full;
}

/**
 * Inflates a deflated data set only as far as it is needed, walking its
 * structure as it grows: a window of output at a time (each four times the
 * last, up to maxDecodedBytes) until the data set ends or its Pixel Data
 * header is reached. For a header (`headerOnly`) that is all; otherwise the
 * Pixel Data's declared length says how much more to inflate, and `check`
 * (the pixel module's limits, given the header's bytes) runs before any of it
 * is. A deflate bomb so costs no more than the data set it claims to be, and
 * an element or item flood is refused after a few megabytes.
 */
export async function inflateDataSet(
  input: Uint8Array,
  layout: DicomLayout,
  path: string,
  limits: DecodeLimits,
  structure: StructureLimits,
  headerOnly: boolean,
  check: (header: Uint8Array) => Promise<void>,
): Promise<Uint8Array> {
  const { bodyStart } = layout;
  const compressed = input.subarray(bodyStart);
  for (let window = FIRST_WINDOW; ; window *= 4) {
    const cap = Math.min(window, limits.maxDecodedBytes);
    // One byte past the cap tells a data set that ends exactly there from one that goes on.
    const body = await inflateRange(compressed, 0, cap + 1, 'raw').catch((error: unknown) => {
      throw new ScanLensError(`deflated data set cannot be inflated (${(error as Error).message})`, path);
    });
    const complete = body.length <= cap;
    const full = joined(input, bodyStart, body.subarray(0, cap));
    // From the first byte, as dicom-parser parses an inflated array (see joined); a whole data set is walked whole.
    const reached = walkDataSet(full, { ...layout, bodyStart: 0 }, EXPLICIT_LITTLE, structure, path, complete && !headerOnly ? undefined : PIXEL_DATA);
    if (complete) return full;
    const pixelHeader = reached < full.length ? pixelLength(full, reached) : undefined;
    if (pixelHeader !== undefined) {
      if (headerOnly) return full;
      await check(full.subarray(0, reached));
      const needed = reached - bodyStart + pixelHeader;
      if (needed > limits.maxDecodedBytes) throw new ScanLensError(`deflated data set declares ${needed} bytes, over the limit of ${limits.maxDecodedBytes}`, path);
      if (needed <= cap) return full.subarray(0, bodyStart + needed);
      return joined(input, bodyStart, await inflateRange(compressed, 0, needed, 'raw'));
    }
    if (cap === limits.maxDecodedBytes) throw new ScanLensError(`deflated data set inflates to more than the limit of ${limits.maxDecodedBytes} bytes`, path);
  }
}

/** The declared length of the Pixel Data element whose value starts at `data` (explicit VR little endian: its 4-byte length just before). */
function pixelLength(full: Uint8Array, data: number): number | undefined {
  const length = new DataView(full.buffer, full.byteOffset + data - 4, 4).getUint32(0, true);
  return length === 0xffffffff ? undefined : length;
}
