import type { Image2D } from '../image';

/** A binary image: 1 = foreground, 0 = background, row-major. */
export interface BinaryMask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function createMask(width: number, height: number): BinaryMask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Foreground where the (single-channel) value is strictly above `threshold`. */
export function thresholdMask(image: Image2D, threshold: number): BinaryMask {
  const mask = createMask(image.width, image.height);
  for (let i = 0; i < mask.data.length; i++) mask.data[i] = image.data[i]! > threshold ? 1 : 0;
  return mask;
}

/** The mask as a 0/1 grey image, for viewers and PNG output. */
export function maskToImage(mask: BinaryMask): Image2D {
  return { width: mask.width, height: mask.height, channels: 1, data: Float32Array.from(mask.data) };
}

/** The image where the mask is set, zero elsewhere. */
export function applyMask(image: Image2D, mask: BinaryMask): Image2D {
  const data = new Float32Array(mask.data.length);
  for (let i = 0; i < data.length; i++) if (mask.data[i]) data[i] = image.data[i]!;
  return { width: image.width, height: image.height, channels: 1, data };
}
