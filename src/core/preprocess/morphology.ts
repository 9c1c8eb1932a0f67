import { createMask, type BinaryMask } from './mask';

/**
 * Binary morphology with a disk structuring element (x² + y² ≤ r², as
 * skimage.morphology.disk). Border conventions follow skimage: erosion treats
 * the outside as foreground and dilation treats it as background, so shapes
 * touching the image edge are not eaten away just for touching it.
 *
 * The disk is handled as one horizontal run per row, and each run is tested
 * with per-row prefix counts, so the cost is O(pixels × (2r+1)) whatever the
 * radius.
 */

/** Half-width of the disk's run in each row dy = −r..r. */
function diskHalfWidths(radius: number): Int32Array {
  const halfWidths = new Int32Array(2 * radius + 1);
  for (let dy = -radius; dy <= radius; dy++) {
    halfWidths[dy + radius] = Math.floor(Math.sqrt(radius * radius - dy * dy));
  }
  return halfWidths;
}

/** prefix[y·(w+1) + x] = foreground pixels in row y left of column x. */
function rowPrefixCounts(mask: BinaryMask): Int32Array {
  const { width, height, data } = mask;
  const prefix = new Int32Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    const p = y * (width + 1);
    const row = y * width;
    for (let x = 0; x < width; x++) prefix[p + x + 1] = prefix[p + x]! + data[row + x]!;
  }
  return prefix;
}

function checkRadius(operation: string, radius: number): void {
  if (!Number.isInteger(radius) || radius < 0) {
    throw new RangeError(`${operation}: radius must be a whole number >= 0, got ${radius}`);
  }
}

export function erode(mask: BinaryMask, radius: number): BinaryMask {
  checkRadius('erode', radius);
  const { width, height, data } = mask;
  const out = createMask(width, height);
  const halfWidths = diskHalfWidths(radius);
  const prefix = rowPrefixCounts(mask);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The disk contains its centre, so a background pixel stays background.
      if (!data[y * width + x]) continue;
      let keep = 1;
      for (let dy = -radius; dy <= radius && keep; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        const hw = halfWidths[dy + radius]!;
        const lo = Math.max(0, x - hw);
        const hi = Math.min(width - 1, x + hw);
        const p = yy * (width + 1);
        if (prefix[p + hi + 1]! - prefix[p + lo]! !== hi - lo + 1) keep = 0;
      }
      out.data[y * width + x] = keep;
    }
  }
  return out;
}

export function dilate(mask: BinaryMask, radius: number): BinaryMask {
  checkRadius('dilate', radius);
  const { width, height, data } = mask;
  const out = createMask(width, height);
  const halfWidths = diskHalfWidths(radius);
  const prefix = rowPrefixCounts(mask);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]) {
        out.data[y * width + x] = 1;
        continue;
      }
      let hit = 0;
      for (let dy = -radius; dy <= radius && !hit; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        const hw = halfWidths[dy + radius]!;
        const p = yy * (width + 1);
        if (prefix[p + Math.min(width - 1, x + hw) + 1]! > prefix[p + Math.max(0, x - hw)]!) hit = 1;
      }
      out.data[y * width + x] = hit;
    }
  }
  return out;
}

/** Erode then dilate: removes specks and cuts bridges thinner than the disk. */
export function open(mask: BinaryMask, radius: number): BinaryMask {
  return dilate(erode(mask, radius), radius);
}

/** Dilate then erode: closes gaps and notches narrower than the disk. */
export function close(mask: BinaryMask, radius: number): BinaryMask {
  return erode(dilate(mask, radius), radius);
}

/**
 * Sets every background pixel that cannot reach the image border through
 * 4-connected background, as scipy.ndimage.binary_fill_holes does: enclosed
 * holes fill, open notches stay open.
 */
export function fillHoles(mask: BinaryMask): BinaryMask {
  const { width, height, data } = mask;
  const n = width * height;
  const outside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const visit = (i: number): void => {
    if (!data[i] && !outside[i]) {
      outside[i] = 1;
      queue[tail++] = i;
    }
  };
  for (let x = 0; x < width; x++) {
    visit(x);
    visit((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    visit(y * width);
    visit(y * width + width - 1);
  }
  for (let head = 0; head < tail; head++) {
    const i = queue[head]!;
    const x = i % width;
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (i >= width) visit(i - width);
    if (i < n - width) visit(i + width);
  }
  const out = createMask(width, height);
  for (let i = 0; i < n; i++) out.data[i] = outside[i] ? 0 : 1;
  return out;
}
