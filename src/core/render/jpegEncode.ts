import type { Image2D } from '../image';
import { sharp } from '../native/sharp';

/**
 * 8-bit grey or RGB pixels as a baseline JPEG, by libvips (no metadata is
 * written). For pictures where size matters more than exact values: a
 * 96-pixel thumbnail of a sample scan is about a third of its PNG (the
 * scans' noise leaves deflate little to find).
 */
export function jpegFromBytes(bytes: Uint8Array, width: number, height: number, channels: 1 | 3, quality: number): Promise<Buffer> {
  return sharp()(bytes, { raw: { width, height, channels } }).jpeg({ quality }).toBuffer();
}

/** An image with values in [0,1] (grey or RGB) as a JPEG, clamped and rounded to 8 bits. */
export function encodeJpeg(image: Image2D, quality: number): Promise<Buffer> {
  if (image.channels !== 1 && image.channels !== 3) throw new Error(`cannot write a ${image.channels}-channel image as JPEG`);
  const bytes = new Uint8ClampedArray(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = image.data[i]! * 255;
  return jpegFromBytes(new Uint8Array(bytes.buffer), image.width, image.height, image.channels, quality);
}
