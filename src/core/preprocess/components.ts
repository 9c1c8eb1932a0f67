import { createMask, type BinaryMask } from './mask';

/**
 * Connected-component labelling of a binary mask by breadth-first flood fill.
 * Labels run 1..count in raster order of each component's first pixel (as
 * scipy.ndimage.label numbers them); 0 is background.
 */

export type Connectivity = 4 | 8;

export interface Components {
  readonly labels: Int32Array;
  readonly count: number;
  /** Pixel count per label; index 0 is unused. */
  readonly sizes: Int32Array;
}

export function labelComponents(mask: BinaryMask, connectivity: Connectivity = 4): Components {
  const { width, height, data } = mask;
  const n = width * height;
  const labels = new Int32Array(n);
  const queue = new Int32Array(n);
  const sizes: number[] = [0];
  const diagonal = connectivity === 8;
  let count = 0;

  for (let seed = 0; seed < n; seed++) {
    if (!data[seed] || labels[seed]) continue;
    const label = ++count;
    labels[seed] = label;
    queue[0] = seed;
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const i = queue[head]!;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!diagonal && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (data[j] && !labels[j]) {
            labels[j] = label;
            queue[tail++] = j;
          }
        }
      }
    }
    sizes.push(tail);
  }
  return { labels, count, sizes: Int32Array.from(sizes) };
}

/** The biggest component alone (the first in raster order on a tie); empty if there is none. */
export function largestComponent(mask: BinaryMask, connectivity: Connectivity = 4): BinaryMask {
  const { labels, count, sizes } = labelComponents(mask, connectivity);
  const out = createMask(mask.width, mask.height);
  if (count === 0) return out;
  let best = 1;
  for (let label = 2; label <= count; label++) if (sizes[label]! > sizes[best]!) best = label;
  for (let i = 0; i < labels.length; i++) if (labels[i] === best) out.data[i] = 1;
  return out;
}
