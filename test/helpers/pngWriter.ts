import { crc32, deflateSync } from 'node:zlib';

export function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface PngSpec {
  readonly width: number;
  readonly height: number;
  /** 0 grey, 2 RGB, 4 grey + alpha, 6 RGBA. */
  readonly colourType: 0 | 2 | 4 | 6;
  readonly bitDepth: 8 | 16;
  readonly samples: ArrayLike<number>;
  /** IDAT payload split into this many chunks. */
  readonly idatChunks?: number;
  /** Extra chunks written before the first IDAT. */
  readonly before?: readonly { type: string; data: Uint8Array }[];
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/**
 * A test-only PNG writer that uses every filter type in turn (row y gets
 * filter y mod 5), so a decoder is exercised on all five; independent of
 * src/core/render's writer, which only uses "Up".
 */
export function writePng(spec: PngSpec): Buffer {
  const { width, height, colourType, bitDepth } = spec;
  const bpp = (SAMPLES[colourType]! * bitDepth) / 8;
  const stride = width * bpp;
  const raw = new Uint8Array(stride * height);
  for (let i = 0; i < spec.samples.length; i++) {
    const v = spec.samples[i]!;
    if (bitDepth === 16) {
      raw[2 * i] = v >> 8;
      raw[2 * i + 1] = v & 255;
    } else raw[i] = v;
  }
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    filtered[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const at = y * stride + x;
      const a = x >= bpp ? raw[at - bpp]! : 0;
      const b = y > 0 ? raw[at - stride]! : 0;
      const c = x >= bpp && y > 0 ? raw[at - stride - bpp]! : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      filtered[y * (stride + 1) + 1 + x] = (raw[at]! - predicted) & 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colourType;
  const compressed = deflateSync(filtered);
  const parts = spec.idatChunks ?? 1;
  const size = Math.ceil(compressed.length / parts);
  const idats = Array.from({ length: parts }, (_, i) => chunk('IDAT', compressed.subarray(i * size, (i + 1) * size)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(spec.before ?? []).map((c) => chunk(c.type, c.data)),
    ...idats,
    chunk('IEND', new Uint8Array(0)),
  ]);
}
