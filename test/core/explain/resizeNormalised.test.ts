import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resizeNormalised, type VolumeGrid } from '../../../src/core/explain/upsampleVolume';

type Size = { depth: number; height: number; width: number };

/** torch's trilinear (align_corners=False) voxel by voxel from its definition — eight corners, their weights — rounded to float32, then min-max stretched with the first largest voxel's index. */
function reference(map: VolumeGrid, size: Size): { data: Float32Array; peak: number } {
  const corner = (t: number, n: number, m: number): [number, number, number] => {
    const p = Math.min(n - 1, Math.max(0, (t + 0.5) * (n / m) - 0.5));
    const lo = Math.floor(p);
    return [lo, Math.min(n - 1, lo + 1), p - lo];
  };
  const at = (d: number, h: number, w: number): number => map.data[(d * map.height + h) * map.width + w]!;
  const raw = new Float32Array(size.depth * size.height * size.width);
  let i = 0;
  for (let d = 0; d < size.depth; d++) {
    const [d0, d1, wd] = corner(d, map.depth, size.depth);
    for (let h = 0; h < size.height; h++) {
      const [h0, h1, wh] = corner(h, map.height, size.height);
      for (let w = 0; w < size.width; w++) {
        const [w0, w1, ww] = corner(w, map.width, size.width);
        let v = 0;
        for (const [dd, fd] of [
          [d0, 1 - wd],
          [d1, wd],
        ] as const)
          for (const [hh, fh] of [
            [h0, 1 - wh],
            [h1, wh],
          ] as const)
            for (const [ww_, fw] of [
              [w0, 1 - ww],
              [w1, ww],
            ] as const)
              v += at(dd, hh, ww_) * fd * fh * fw;
        raw[i++] = v;
      }
    }
  }
  let [lo, hi, peak] = [Infinity, -Infinity, 0];
  raw.forEach((v, k) => {
    if (v < lo) lo = v;
    if (v > hi) [hi, peak] = [v, k];
  });
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  return { data: raw.map((v) => (v - lo) * scale), peak };
}

/** A seeded map of shape d×h×w (xorshift), non-negative as a CAM after its ReLU. */
function randomMap(depth: number, height: number, width: number, seed: number): VolumeGrid {
  let s = seed;
  const data = Float32Array.from({ length: depth * height * width }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  });
  return { depth, height, width, data };
}

const cases: [string, VolumeGrid, Size][] = [
  ['a 3³ layer map to a 96³ grid', randomMap(3, 3, 3, 1), { depth: 96, height: 96, width: 96 }],
  ['an anisotropic map to an anisotropic grid', randomMap(2, 5, 4, 2), { depth: 16, height: 24, width: 32 }],
  ['a map already at the grid size', randomMap(4, 4, 4, 3), { depth: 4, height: 4, width: 4 }],
  ['a map shrunk on some axes and kept on one', randomMap(8, 6, 8, 4), { depth: 3, height: 6, width: 5 }],
  ['a one-voxel-deep map', randomMap(1, 3, 3, 5), { depth: 7, height: 9, width: 9 }],
];

for (const [name, map, size] of cases) {
  test(`resizing and stretching in one pass equals trilinear then min-max, peak included: ${name}`, () => {
    const expected = reference(map, size);
    const { grid, peak } = resizeNormalised(map, size);
    assert.deepEqual([grid.depth, grid.height, grid.width], [size.depth, size.height, size.width]);
    let worst = 0;
    expected.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - grid.data[k]!))));
    assert.ok(worst <= 1e-6, `largest difference ${worst}`);
    assert.equal(peak, expected.peak);
    assert.equal(grid.data[peak], 1);
  });
}

test('a flat map stretches to zeros with its peak at the first voxel; of two equal largest voxels the first is the peak', () => {
  const flat = resizeNormalised({ depth: 2, height: 2, width: 2, data: new Float32Array(8).fill(0.5) }, { depth: 8, height: 8, width: 8 });
  assert.equal(flat.peak, 0);
  assert.ok(flat.grid.data.every((v) => v === 0));
  // Two equal maxima in the layer map: a plateau of largest values in the grid; the first in memory order wins, as an argmax does.
  const twin = { depth: 3, height: 1, width: 3, data: Float32Array.of(0, 0, 0, 1, 0, 1, 0, 0, 0) };
  const size = { depth: 12, height: 2, width: 12 };
  const expected = reference(twin, size);
  assert.equal(resizeNormalised(twin, size).peak, expected.peak);
});
