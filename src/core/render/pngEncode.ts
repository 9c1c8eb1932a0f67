import { constants, crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOUR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;
const FILTER_UP = 2;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * 8-bit grey, RGB or RGBA (straight alpha) pixels as a PNG. Written here
 * rather than by sharp: a libvips call costs a thread hand-off of about a
 * millisecond on small images, and libvips writes rows unfiltered. Rows get the "Up" filter (each byte minus
 * the one above) and zlib's run-length strategy, which on the sample scans and
 * their overlays encodes 3× faster than level 3 for files 1% smaller (scans)
 * to 12% larger (overlays), and still smaller than libvips' level-6 files.
 */
export function pngFromBytes(bytes: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Buffer {
  const stride = width * channels;
  if (bytes.length !== stride * height) throw new Error(`expected ${stride * height} bytes for ${width}×${height}×${channels}, got ${bytes.length}`);
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const to = y * (stride + 1) + 1;
    const from = y * stride;
    filtered[to - 1] = FILTER_UP;
    if (y === 0) filtered.set(bytes.subarray(0, stride), to);
    else for (let x = 0; x < stride; x++) filtered[to + x] = bytes[from + x]! - bytes[from - stride + x]!;
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = COLOUR_TYPE[channels];
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(filtered, { strategy: constants.Z_RLE })), chunk('IEND', new Uint8Array(0))]);
}
