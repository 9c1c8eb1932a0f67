import type { Image2D } from '../image';
import { sharp } from '../native/sharp';

/** Encodes an image with values in [0,1] as an 8-bit PNG (grey or RGB), clamping out-of-range values. */
export async function encodePng(image: Image2D): Promise<Buffer> {
  const bytes = new Uint8Array(image.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, image.data[i]!)) * 255);
  return sharp()(bytes, { raw: { width: image.width, height: image.height, channels: image.channels as 1 | 3 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
