import type { Image2D } from '../image';

/** ITU-R BT.601 luma weights, the convention of most imaging libraries' RGB→grey. */
const LUMA = [0.299, 0.587, 0.114] as const;

/** Converts between grey and RGB: RGB→grey by luma, grey→RGB by replication. */
export function toChannels(image: Image2D, channels: 1 | 3): Image2D {
  if (image.channels === channels) return image;
  const pixels = image.width * image.height;
  const out = new Float32Array(pixels * channels);
  if (channels === 1) {
    for (let i = 0; i < pixels; i++) {
      const j = i * image.channels;
      out[i] = LUMA[0] * image.data[j]! + LUMA[1] * image.data[j + 1]! + LUMA[2] * image.data[j + 2]!;
    }
  } else {
    for (let i = 0; i < pixels; i++) {
      const v = image.data[i]!;
      out[3 * i] = v;
      out[3 * i + 1] = v;
      out[3 * i + 2] = v;
    }
  }
  return { width: image.width, height: image.height, channels, data: out };
}
