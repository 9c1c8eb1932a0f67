import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Image2D } from '../../../src/core/image';
import { mapToSlice } from '../../../src/core/preprocess/mapToSlice';
import { resizeImage, type Fit } from '../../../src/core/preprocess/resize';

const size = (width: number, height: number): { width: number; height: number } => ({ width, height });

function marked(width: number, height: number, x: number, y: number): Image2D {
  const data = new Float32Array(width * height);
  data[y * width + x] = 1;
  return { width, height, channels: 1, data };
}

/** Position of the largest value, NaN skipped; throws on a tie, so a peak must be one pixel. */
function peak(image: Image2D): [number, number] {
  let best = -Infinity;
  let at = -1;
  let tied = false;
  image.data.forEach((v, i) => {
    if (v > best) [best, at, tied] = [v, i, false];
    else if (v === best) tied = true;
  });
  assert.ok(!tied, `the largest value ${best} is not on one pixel alone`);
  return [at % image.width, Math.floor(at / image.width)];
}

const seenColumns = (image: Image2D, y: number): number[] => Array.from({ length: image.width }, (_, x) => x).filter((x) => !Number.isNaN(image.data[y * image.width + x]));

// The model input is larger than the slice here, as for a 256² model on a small slice; wide and tall slices, both fits.
for (const fit of ['contain', 'cover'] as const) {
  for (const [label, slice] of [
    ['wide', size(40, 24)],
    ['tall', size(24, 40)],
  ] as const) {
    test(`${fit}, ${label} slice: a map that is 1 exactly where the model input shows a marked pixel comes back peaking on that pixel`, () => {
      const input = size(64, 64);
      let checked = 0;
      for (let y = 1; y < slice.height; y += 3) {
        for (let x = 1; x < slice.width; x += 3) {
          // Nearest neighbour: the input pixels that show this slice pixel and no other.
          const shown = resizeImage(marked(slice.width, slice.height, x, y), input, 'nearest', fit);
          if (!shown.data.some((v) => v === 1)) continue;
          const back = mapToSlice(shown, slice, { size: input, fit });
          assert.deepEqual([back.width, back.height], [slice.width, slice.height]);
          assert.deepEqual(peak(back), [x, y], `marked (${x}, ${y})`);
          checked++;
        }
      }
      // Cover crops the long side: 38.5% of it falls outside a square input (scale 64/24, 40·64/24 = 107 px, 64 kept).
      const all = Math.ceil((slice.width - 1) / 3) * Math.ceil((slice.height - 1) / 3);
      if (fit === 'contain') assert.equal(checked, all);
      else assert.ok(checked > all * 0.5 && checked < all, `${checked} of ${all} marked pixels inside the model's view`);
    });
  }
}

test('cover: a pixel in the cropped margin comes back as not seen (NaN); the model’s view lands on the central columns, worked out by hand', () => {
  // 8×4 slice into a 4×4 input: scale 1, so the input is columns 2…5 of the slice.
  const input = { width: 4, height: 4, channels: 1, data: Float32Array.from({ length: 16 }, (_, i) => (i % 4) + 1) };
  const back = mapToSlice(input, size(8, 4), { size: size(4, 4), fit: 'cover' });
  for (let y = 0; y < 4; y++) {
    assert.deepEqual(seenColumns(back, y), [2, 3, 4, 5]);
    assert.deepEqual(Array.from(back.data.subarray(y * 8 + 2, y * 8 + 6)), [1, 2, 3, 4]);
  }
  // Nothing the model saw comes from a margin pixel: marking one leaves the input blank.
  assert.ok(resizeImage(marked(8, 4, 0, 1), size(4, 4), 'nearest', 'cover').data.every((v) => v === 0));
});

test('cover: values at the edge of the model’s view are not dimmed by the unseen margin', () => {
  const back = mapToSlice({ width: 64, height: 64, data: new Float32Array(64 * 64).fill(0.7) }, size(40, 24), { size: size(64, 64), fit: 'cover' });
  const seen = back.data.filter((v) => !Number.isNaN(v));
  assert.ok(seen.length > 0 && seen.every((v) => Math.abs(v - 0.7) < 1e-6), `seen values ${Math.min(...seen)}…${Math.max(...seen)}`);
});

test('contain: the letterbox padding of the map is dropped, worked out by hand', () => {
  // 8×4 slice into an 8×8 input: rows 2…5 of the input are the slice; rows 0, 1, 6, 7 padding.
  const rows = [9, 9, 1, 2, 3, 4, 9, 9];
  const input = { width: 8, height: 8, channels: 1, data: Float32Array.from({ length: 64 }, (_, i) => rows[Math.floor(i / 8)]!) };
  const back = mapToSlice(input, size(8, 4), { size: size(8, 8), fit: 'contain' });
  assert.deepEqual(
    Array.from({ length: 4 }, (_, y) => back.data[y * 8 + 3]),
    [1, 2, 3, 4],
  );
  // A CAM grid over the same input (2×2 cells of 4×4 input pixels): the slice shows the middle half of it, nothing of the padding beyond.
  const grid = mapToSlice({ width: 2, height: 2, data: Float32Array.of(0, 1, 0, 1) }, size(8, 4), { size: size(8, 8), fit: 'contain' });
  assert.ok(grid.data.every((v) => !Number.isNaN(v)));
  assert.deepEqual(Array.from(grid.data.subarray(0, 8)), Array.from(grid.data.subarray(24, 32)), 'rows alike: the grid varies only across');
});

test('a slice larger than the model input: the peak comes back within the pixels one input pixel covers', () => {
  const slice = size(300, 180);
  const input = size(64, 64);
  for (const fit of ['contain', 'cover'] as const satisfies readonly Fit[]) {
    const [x, y] = [150, 90];
    const shown = resizeImage(marked(slice.width, slice.height, x, y), input, 'linear', fit);
    const back = mapToSlice(shown, slice, { size: input, fit });
    const [px, py] = peak(back);
    const reach = fit === 'contain' ? 300 / 64 : 180 / 64;
    assert.ok(Math.abs(px - x) <= reach && Math.abs(py - y) <= reach, `${fit}: peak at (${px}, ${py}), marked (${x}, ${y})`);
  }
});

test('fill: bit-identical to stretching the map over the slice, whatever the input size', () => {
  const map = { width: 7, height: 5, data: Float32Array.from({ length: 35 }, (_, i) => Math.sin(i)) };
  const stretched = resizeImage({ ...map, channels: 1 }, size(40, 24), 'linear', 'fill');
  for (const input of [size(64, 64), size(40, 24)]) {
    assert.deepEqual(mapToSlice(map, size(40, 24), { size: input, fit: 'fill' }), stretched);
  }
});
