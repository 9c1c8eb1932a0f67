import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ResizeKernel } from '../../../src/core/model/manifest';
import { resizeImage } from '../../../src/core/preprocess/resize';
import { fixture } from '../../helpers/paths';

interface Reference {
  source: { width: number; height: number; data: number[] };
  cases: { kernel: ResizeKernel; width: number; height: number; data: number[] }[];
}
const reference = JSON.parse(readFileSync(fixture('resize-reference.json'), 'utf8')) as Reference;
const source = { width: reference.source.width, height: reference.source.height, channels: 1, data: Float32Array.from(reference.source.data) };

for (const c of reference.cases) {
  test(`${c.kernel} resize 13×9 → ${c.width}×${c.height} matches PIL`, () => {
    const out = resizeImage(source, c, c.kernel, 'fill');
    assert.equal(out.data.length, c.data.length);
    out.data.forEach((v, i) => assert.ok(Math.abs(v - c.data[i]!) < 1e-5, `pixel ${i}: ${v} vs ${c.data[i]}`));
  });
}

test('same size is returned untouched', () => {
  assert.equal(resizeImage(source, { width: 13, height: 9 }, 'lanczos3', 'fill'), source);
});

test('nearest picks source pixels only', () => {
  const out = resizeImage(source, { width: 26, height: 18 }, 'nearest', 'fill');
  const values = new Set(source.data);
  assert.ok(out.data.every((v) => values.has(v)));
  assert.equal(out.data[0], source.data[0]);
});

test('contain letterboxes with zeros and keeps the aspect ratio; cover crops', () => {
  const wide = { width: 8, height: 4, channels: 1, data: new Float32Array(32).fill(1) };
  const contained = resizeImage(wide, { width: 8, height: 8 }, 'linear', 'contain');
  const rowMeans = Array.from({ length: 8 }, (_, y) => contained.data.slice(y * 8, y * 8 + 8).reduce((a, b) => a + b) / 8);
  assert.deepEqual(
    rowMeans.map((m) => Math.round(m)),
    [0, 0, 1, 1, 1, 1, 0, 0],
  );
  const covered = resizeImage(wide, { width: 8, height: 8 }, 'linear', 'cover');
  assert.ok(covered.data.every((v) => Math.abs(v - 1) < 1e-6));
});
