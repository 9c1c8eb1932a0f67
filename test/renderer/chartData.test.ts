import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classProbabilities, commonestTop, confusionFractions, mapGrid, overlayGrid, percent, sliceProfile } from '../../src/renderer/chartData';

const classify = {
  kind: 'classify' as const,
  labels: ['a', 'b'],
  rows: [
    { file: 'x.png', probabilities: [0.2, 0.8], top: { label: 'b', probability: 0.8 } },
    { file: 'bad.png', error: 'cannot decode' },
    { file: 'y.png', probabilities: [0.9, 0.1], top: { label: 'a', probability: 0.9 } },
    { file: 'z.png', probabilities: [0.3, 0.7], top: { label: 'b', probability: 0.7 } },
  ],
};

test('the class switch shows one class across the classified files; error rows are left out', () => {
  assert.deepEqual(classProbabilities(classify, 1), { x: ['x.png', 'y.png', 'z.png'], y: [0.8, 0.1, 0.7] });
  assert.equal(commonestTop(classify), 1);
  assert.equal(commonestTop({ ...classify, rows: [] }), 0);
});

test('a volume profile follows the slices', () => {
  const volume = {
    kind: 'volume' as const,
    file: 'v.nii',
    axis: 'axial',
    labels: ['a', 'b'],
    slices: [
      { slice: 4, probabilities: [0.1, 0.9] },
      { slice: 5, probabilities: [0.6, 0.4] },
    ],
    peaks: [],
  };
  assert.deepEqual(sliceProfile(volume, 0), { x: [4, 5], y: [0.1, 0.6] });
});

test('confusion rows become fractions; an empty row stays zero', () => {
  const evaluate = {
    kind: 'evaluate' as const,
    source: 'l.csv',
    labels: ['a', 'b'],
    files: 4,
    failed: 0,
    accuracy: 0.75,
    perClass: [],
    confusion: [
      [3, 1],
      [0, 0],
    ],
    roc: [],
  };
  assert.deepEqual(confusionFractions(evaluate), [
    [0.75, 0.25],
    [0, 0],
  ]);
});

test('the explanation map is min-max normalised into rows, row 0 first', () => {
  assert.deepEqual(mapGrid({ width: 2, height: 2, data: [1, 3, 5, 9] }), [
    [0, 0.25],
    [0.5, 1],
  ]);
  assert.deepEqual(mapGrid({ width: 2, height: 1, data: [4, 4] }), [[0, 0]]);
  assert.equal(percent(0.9712), '97.1%');
});

test("an explanation's overlay grid: the raw map for results without a view; over the slice through the model's fit with one; at most 512 cells a side", () => {
  const explain = {
    kind: 'explain' as const,
    file: 'w.png',
    method: 'gradcam',
    class: { index: 0, label: 'a' },
    layer: null,
    labels: ['a'],
    probabilities: [1],
    map: { width: 2, height: 2, data: [1, 3, 5, 9] },
  };
  assert.deepEqual(overlayGrid(explain), { width: 2, height: 2, x0: 0, dx: 1, y0: 0, dy: 1, z: mapGrid(explain.map) });
  // A 4×4 cover input over an 8×4 slice: the input is its central 4 columns; the 2 either side stay empty.
  const cover = overlayGrid({
    ...explain,
    map: { width: 4, height: 4, data: Array.from({ length: 16 }, (_, i) => i % 4) },
    view: { slice: { width: 8, height: 4 }, input: { width: 4, height: 4 }, fit: 'cover' },
  });
  assert.deepEqual([cover.width, cover.height, cover.x0, cover.dx], [8, 4, 0, 1]);
  for (const row of cover.z) {
    assert.deepEqual(
      row.map((v) => v === null),
      [true, true, false, false, false, false, true, true],
    );
    assert.deepEqual(row.slice(2, 6), [0, 1 / 3, 2 / 3, 1]);
  }
  // A 2048×1024 slice is sampled on 512×256 cells, each 4 of its pixels wide, centred where those pixels are.
  const big = overlayGrid({ ...explain, view: { slice: { width: 2048, height: 1024 }, input: { width: 2, height: 2 }, fit: 'fill' } });
  assert.deepEqual([big.width, big.height, big.z[0]!.length, big.z.length, big.dx, big.dy, big.x0, big.y0], [2048, 1024, 512, 256, 4, 4, 1.5, 1.5]);
});
