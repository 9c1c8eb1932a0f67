/**
 * A 2D float image, channels interleaved (HWC), row-major. Every preprocessing
 * stage consumes and produces this shape so stages compose freely.
 */
export interface Image2D {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

export function createImage(width: number, height: number, channels = 1): Image2D {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

export function cloneImage(image: Image2D): Image2D {
  return { ...image, data: new Float32Array(image.data) };
}
