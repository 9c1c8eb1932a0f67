import type { Image2D } from '../image';
import { pngFromBytes } from './pngEncode';

/** Encodes an image with values in [0,1] as an 8-bit PNG (grey, RGB or RGBA), clamping out-of-range values. */
export async function encodePng(image: Image2D): Promise<Buffer> {
  if (image.channels !== 1 && image.channels !== 3 && image.channels !== 4) throw new Error(`cannot write a ${image.channels}-channel image as PNG`);
  // A clamped array rounds and clamps on assignment (NaN becomes 0).
  const bytes = new Uint8ClampedArray(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = image.data[i]! * 255;
  return pngFromBytes(new Uint8Array(bytes.buffer), image.width, image.height, image.channels);
}
