/**
 * What a compressed frame says about itself, read from its header without
 * decoding: checked against the DICOM pixel module before any decoder
 * allocates, so a frame cannot make a codec allocate more than Rows×Columns says.
 */
export interface CodestreamHeader {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  /** Bits per sample as coded. */
  readonly precision: number;
  /** JPEG 2000 only: samples are coded as signed. */
  readonly signed: boolean;
  /** JPEG only: whether libjpeg will apply a YCbCr→RGB transform to three components (its own rule, from JFIF/Adobe markers and component ids). */
  readonly ycbcr: boolean;
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xf7]);

/** JPEG, JPEG lossless and JPEG-LS (SOF55) frame headers. */
export function jpegHeader(bytes: Uint8Array): CodestreamHeader | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let jfif = false;
  let adobeTransform: number | undefined;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = view.getUint16(i + 2);
    if (marker === 0xe0 && String.fromCharCode(...bytes.subarray(i + 4, i + 8)) === 'JFIF') jfif = true;
    if (marker === 0xee && String.fromCharCode(...bytes.subarray(i + 4, i + 9)) === 'Adobe') adobeTransform = bytes[i + 15];
    if (SOF.has(marker)) {
      if (i + 10 > bytes.length) return undefined;
      const components = bytes[i + 9]!;
      const ids = Array.from({ length: components }, (_, c) => bytes[i + 10 + 3 * c]);
      // libjpeg's default_decompress_parms: JFIF, then Adobe, then component ids decide.
      const ycbcr = components === 3 && (jfif || (adobeTransform !== undefined ? adobeTransform !== 0 : !(ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42)));
      return { precision: bytes[i + 4]!, height: view.getUint16(i + 5), width: view.getUint16(i + 7), components, signed: false, ycbcr };
    }
    if (marker === 0xda) return undefined;
    i += 2 + length;
  }
  return undefined;
}

/** JPEG 2000 SIZ marker, in a bare codestream or inside a JP2 file's boxes. */
export function j2kHeader(bytes: Uint8Array): CodestreamHeader | undefined {
  const limit = Math.min(bytes.length - 4, 1 << 16);
  for (let i = 0; i < limit; i++) {
    if (bytes[i] !== 0xff || bytes[i + 1] !== 0x4f || bytes[i + 2] !== 0xff || bytes[i + 3] !== 0x51) continue;
    const s = i + 4;
    if (s + 41 > bytes.length) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset + s, 41);
    const width = view.getUint32(4) - view.getUint32(12);
    const height = view.getUint32(8) - view.getUint32(16);
    const ssiz = view.getUint8(38);
    return { width, height, components: view.getUint16(36), precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0, ycbcr: false };
  }
  return undefined;
}
