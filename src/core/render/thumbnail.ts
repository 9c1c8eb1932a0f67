import type { Image2D } from '../image';
import { resizeImage } from '../preprocess/resize';

/** The size an image shrinks to so that its longer side is at most `box` pixels, aspect kept; never enlarged. */
export function thumbnailSize(width: number, height: number, box: number): { width: number; height: number } {
  const scale = Math.min(1, box / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** An image shrunk into a `box`-pixel square with the antialiased linear kernel, aspect kept. */
export function thumbnail(image: Image2D, box: number): Image2D {
  return resizeImage(image, thumbnailSize(image.width, image.height, box), 'linear', 'fill');
}
